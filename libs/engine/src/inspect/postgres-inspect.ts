import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type pg from 'pg'
import { EngineError } from '../errors.ts'
import { ident, literal } from '../sql/quote.ts'
import { withSandbox } from '../sandbox.ts'
import type { Column } from '../stage/columns.ts'
import { connectPostgres, estimateRows, planColumns, queryError } from '../stage/postgres.ts'
import { parsePostgresUri, type PostgresSource } from '../stage/postgres-uri.ts'
import type { ColumnPlan } from '../stage/postgres-types.ts'
import { chooseType } from '../stage/typing.ts'
import { blanksToNull } from '../stage/column-measure.ts'
import { checkFilters, filterClause } from './filters.ts'
import { jsonSafeRows } from './json-rows.ts'
import { DEFAULT_ALIAS, type InspectOptions, type PreviewFilter, type SourceDescription, type SourcePreview, type SourceSpec } from './source-spec.ts'

interface Session { client: pg.Client, source: PostgresSource, alias: string, plans: ColumnPlan[], columns: Column[] }

// Every value arrives as Postgres's own text, which DuckDB then parses with the run's types.
const AS_TEXT: pg.CustomTypesConfig = { getTypeParser: (() => (value: string) => value) as unknown as pg.CustomTypesConfig['getTypeParser'] }

/** A Postgres table's or query's columns as a run stages them, and the planner's row estimate. */
export async function describePostgres (spec: SourceSpec, options: InspectOptions): Promise<SourceDescription> {
  return await withSession(spec, options, false, async ({ client, source, columns }) => ({
    columns,
    rows: { count: await estimateRows(client, source), exact: false },
    location: { display: source.display, what: source.what }
  }))
}

/**
 * The first `limit` rows passing every filter, read in a read-only transaction with bound parameters,
 * then loaded into DuckDB with the run's column types so values look exactly as a run's would.
 */
export async function previewPostgres (spec: SourceSpec, request: { limit: number, filters?: readonly PreviewFilter[] }, options: InspectOptions): Promise<SourcePreview> {
  const filtered = (request.filters ?? []).length > 0
  const text = await withSession(spec, options, filtered, async ({ client, source, alias, plans, columns }) => {
    const { where, values } = filterClause(checkFilters(alias, columns, request.filters ?? []), 'postgres')
    values.push(Math.max(0, Math.floor(request.limit)))
    const result = await client.query<unknown[]>({ text: `SELECT ${plans.map((p) => p.pgExpression).join(', ')} FROM (${source.select}) AS kalla_rows${where} LIMIT $${values.length}`, values, rowMode: 'array', types: AS_TEXT })
    return { columns, rows: result.rows as (string | null)[][] }
  })
  return await withSandbox(options, {}, async ({ connection, tempDir }) => {
    const path = join(tempDir, 'preview.csv')
    await writeFile(path, text.rows.map(csvLine).join(''))
    if (text.rows.length === 0) return { columns: text.columns, rows: [] }
    const types = text.columns.map((c) => `${literal(c.name)}: ${literal(c.type)}`).join(', ')
    // As staging reads it: empty and spaces-only text is NULL.
    await connection.run(`CREATE TABLE kalla_preview AS SELECT * FROM read_csv(${literal(path)}, header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = true, columns = {${types}})`)
    await blanksToNull(connection, 'kalla_preview', text.columns.filter((c) => c.type === 'VARCHAR').map((c) => c.name))
    const reader = await connection.runAndReadAll('SELECT * FROM kalla_preview')
    return { columns: text.columns, rows: jsonSafeRows(reader.getRowObjectsJson() as Record<string, unknown>[], text.columns) }
  })
}

// COPY's CSV form: NULL is an empty unquoted field, every value (even an empty string) is quoted.
function csvLine (row: (string | null)[]): string {
  return row.map((v) => v === null ? '' : `"${v.replaceAll('"', '""')}"`).join(',') + '\n'
}

async function withSession<T> (spec: SourceSpec, options: InspectOptions, filtered: boolean, work: (session: Session) => Promise<T>): Promise<T> {
  const alias = spec.alias ?? DEFAULT_ALIAS
  const source = parsePostgresUri(spec.uri, alias)
  const client = await connectPostgres(source, alias, options)
  try {
    await client.query("BEGIN READ ONLY; SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL extra_float_digits = 3")
    const plans = await planColumns(client, source, alias)
    const columns = await typedColumns(client, source, plans)
    return await work({ client, source, alias, plans, columns })
  } catch (error) {
    const code = (error as { code?: string }).code
    if (filtered && typeof code === 'string' && code.startsWith('22')) {
      throw new EngineError('ENGINE_FILTER_INVALID', `A filter value does not fit its column: ${(error as Error).message}.`, { cause: error })
    }
    throw queryError(error, source, alias)
  } finally {
    await client.end().catch(() => {})
  }
}

// Unconstrained numeric has no declared scale: like a run, type it from every value's shape.
async function typedColumns (client: pg.Client, source: PostgresSource, plans: ColumnPlan[]): Promise<Column[]> {
  const exact = plans.filter((p) => p.exactNumber)
  if (exact.length === 0) return plans.map((p) => ({ name: p.name, type: p.duckdbType }))
  const parts = exact.map((p) => {
    const c = ident(p.name)
    return `max(scale(${c})), max(length(trunc(abs(${c}))::text)), coalesce(bool_or(${c}::text ~ '[nN]'), false)`
  })
  const result = await client.query<unknown[]>({ text: `SELECT ${parts.join(', ')} FROM (${source.select}) AS kalla_rows`, rowMode: 'array' })
  const row = result.rows[0] ?? []
  const measured = new Map(exact.map((p, i) => [p.name, chooseType({
    plain: false,
    nonNumeric: false,
    leadingZero: false,
    exponent: row[i * 3 + 2] === true,
    scale: Number(row[i * 3] ?? 0),
    digits: Number(row[i * 3 + 1] ?? 0)
  })]))
  return plans.map((p) => ({ name: p.name, type: measured.get(p.name) ?? p.duckdbType }))
}
