import { basename, resolve } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import { EngineError, duckdbMessage } from '../errors.ts'
import { ident, literal } from '../sql/quote.ts'
import { withSandbox } from '../sandbox.ts'
import { loadFile, localPath, type FileInput, type LoadedFile } from '../stage/files.ts'
import { checkFilters, filterClause } from './filters.ts'
import { jsonSafeRows } from './json-rows.ts'
import { DEFAULT_ALIAS, type InspectOptions, type PreviewFilter, type SourceDescription, type SourcePreview, type SourceSpec } from './source-spec.ts'

const TABLE = 'kalla_source'

/**
 * A file's columns as a run types them: the file is loaded and typed exactly as staging does (every row
 * measured), so describe, preview and a run never disagree. Parquet's row count comes from its metadata.
 */
export async function describeFile (spec: SourceSpec, options: InspectOptions): Promise<SourceDescription> {
  return await withFile(spec, options, async (connection, file, input) => {
    const rows = file.format === 'parquet' ? { count: await parquetRows(connection, input.path), exact: true } : undefined
    return {
      columns: file.columns,
      typings: file.typings,
      notes: notesOf(file),
      format: file.format,
      location: { display: input.name, what: `the file ${input.name}` },
      ...(rows === undefined ? {} : { rows }),
      ...(file.encoding === undefined ? {} : { encoding: file.encoding })
    }
  })
}

/** The first `limit` rows of a file that pass every filter, typed as a run types them. */
export async function previewFile (spec: SourceSpec, request: { limit: number, filters?: readonly PreviewFilter[] }, options: InspectOptions): Promise<SourcePreview> {
  return await withFile(spec, options, async (connection, file, input) => {
    const filters = checkFilters(input.alias, file.columns, request.filters ?? [])
    const { where, values } = filterClause(filters, 'duckdb')
    try {
      const reader = await connection.runAndReadAll(`SELECT * FROM ${ident(TABLE)}${where} LIMIT ${Math.max(0, Math.floor(request.limit))}`, values)
      return { columns: file.columns, rows: jsonSafeRows(reader.getRowObjectsJson() as Record<string, unknown>[], file.columns), notes: notesOf(file) }
    } catch (error) {
      if (filters.length > 0 && /Conversion Error|Could not convert/i.test(String((error as Error).message))) {
        throw new EngineError('ENGINE_FILTER_INVALID', `A filter value does not fit its column: ${duckdbMessage(error)}.`, { cause: error })
      }
      throw error
    }
  })
}

/** "Amount: stays text: ..." for every column typing left with a note. */
export function notesOf (file: Pick<LoadedFile, 'typings'>): string[] {
  return file.typings.filter((t) => t.note !== undefined).map((t) => `${t.name}: ${t.note!}`)
}

async function withFile<T> (spec: SourceSpec, options: InspectOptions, work: (connection: DuckDBConnection, file: LoadedFile, input: FileInput) => Promise<T>): Promise<T> {
  const path = resolve(localPath(spec.uri))
  const input: FileInput = { alias: spec.alias ?? DEFAULT_ALIAS, path, name: spec.name ?? basename(path), ...(spec.format === undefined ? {} : { format: spec.format }) }
  return await withSandbox(options, { readable: [path] }, async ({ connection, tempDir }) => {
    const file = await loadFile({ connection, tempDir, table: TABLE, ...(spec.options === undefined ? {} : { options: spec.options }) }, input)
    return await work(connection, file, input)
  })
}

async function parquetRows (connection: DuckDBConnection, path: string): Promise<number> {
  const reader = await connection.runAndReadAll(`SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata(${literal(path)})`)
  return Number(reader.getRowsJS()[0]?.[0] ?? 0)
}
