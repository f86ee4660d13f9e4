import type { DuckDBConnection } from '@duckdb/node-api'
import { detectFileFormat } from '@kalla/engine'
import type { FileFormat } from '@kalla/proto'
import { exactNumberType, isGuessedNumber, measureTextNumbers } from './exact-types.ts'
import { checkFilters } from './filters.ts'
import { ident, jsonSafeRows, literal, type Column, type PreviewFilter } from './sql.ts'

/** Rows DuckDB's own sniffer looks at; the exact number types are measured over as many. */
export const SAMPLE_ROWS = 20480

/** The format of a data file: from its name, else from its first bytes (the engine's own rule). */
export async function detectFormat (path: string, filename: string): Promise<FileFormat | undefined> {
  return await detectFileFormat(path, filename)
}

/** A file's columns with the exact types a run would give them, and the SELECT that reads it so typed. */
export interface InspectedFile { columns: Column[], select: string }

/**
 * Reads only what typing needs: Parquet's own schema, or the first SAMPLE_ROWS records of a CSV or
 * JSON file, whose number-like columns are then typed exactly as the engine types them.
 */
export async function inspectFile (connection: DuckDBConnection, path: string, format: FileFormat): Promise<InspectedFile> {
  const detected = await describe(connection, `SELECT * FROM ${reader(format, path)}`)
  const numbers = format === 'parquet' ? [] : detected.filter((c) => isGuessedNumber(c.type)).map((c) => c.name)
  if (numbers.length === 0) return { columns: detected, select: `SELECT * FROM ${reader(format, path)}` }
  const raw = `SELECT * FROM ${reader(format, path, textOverrides(format, detected, new Set(numbers)))}`
  const shapes = await measureTextNumbers(connection, `(${raw} LIMIT ${SAMPLE_ROWS})`, numbers)
  const types = new Map(numbers.map((name, i) => [name, exactNumberType(shapes[i]!)]))
  const columns = detected.map((c) => ({ name: c.name, type: types.get(c.name) ?? c.type }))
  const list = columns.map((c) => types.has(c.name) && c.type !== 'VARCHAR' ? `CAST(trim(${ident(c.name)}) AS ${c.type}) AS ${ident(c.name)}` : ident(c.name))
  return { columns, select: `SELECT ${list.join(', ')} FROM (${raw})` }
}

/** The first `limit` rows of an inspected file that pass every filter; values are bound, never spliced. */
export async function previewFile (connection: DuckDBConnection, alias: string, file: InspectedFile, limit: number, filters: readonly PreviewFilter[]): Promise<Record<string, unknown>[]> {
  const conditions: string[] = []
  const values: (string | number | boolean)[] = []
  for (const filter of checkFilters(alias, file.columns, filters)) {
    const column = ident(filter.column)
    values.push(filter.op === 'contains' ? String(filter.value) : filter.value)
    conditions.push(filter.op === 'contains'
      ? `contains(lower(CAST(${column} AS VARCHAR)), lower($${values.length}))`
      : `${column} ${filter.op} $${values.length}`)
  }
  const where = conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`
  const reader = await connection.runAndReadAll(`SELECT * FROM (${file.select}) AS kalla_rows${where} LIMIT ${Math.floor(limit)}`, values)
  return jsonSafeRows(reader.getRowObjectsJson() as Record<string, unknown>[], file.columns)
}

async function describe (connection: DuckDBConnection, select: string): Promise<Column[]> {
  const reader = await connection.runAndReadAll(`DESCRIBE ${select}`)
  return reader.getRowObjectsJson().map((row) => ({ name: String(row.column_name), type: String(row.column_type) }))
}

function reader (format: FileFormat, path: string, overrides?: string): string {
  const file = literal(path)
  switch (format) {
    case 'csv': return `read_csv(${file}, header = true, skip = 0, auto_detect = true, sample_size = ${SAMPLE_ROWS}${overrides ?? ''})`
    case 'parquet': return `read_parquet(${file})`
    case 'json': return `read_json(${file}, format = 'auto'${overrides ?? ''})`
  }
}

// CSV takes per-column type overrides; JSON needs the full column list once any type is given.
function textOverrides (format: FileFormat, columns: Column[], asText: Set<string>): string {
  if (format === 'csv') return `, types = {${[...asText].map((c) => `${literal(c)}: 'VARCHAR'`).join(', ')}}`
  const all = columns.map((c) => `${literal(c.name)}: ${literal(asText.has(c.name) ? 'VARCHAR' : c.type)}`)
  return `, columns = {${all.join(', ')}}`
}
