import { join } from 'node:path'
import { EngineError, duckdbMessage } from '../errors.ts'
import { ident } from '../sql/quote.ts'
import { withSandbox } from '../sandbox.ts'
import { bigQueryApi, bigQueryError, extractRows, loadExtract, parseBigQueryUri, type BigQueryApi, type BigQuerySource } from '../stage/bigquery/index.ts'
import { dryRunSchema } from '../stage/bigquery/rows.ts'
import { planFields, type BigQueryField } from '../stage/bigquery/schema.ts'
import { checkFilters, filterClause } from './filters.ts'
import { jsonSafeRows } from './json-rows.ts'
import { DEFAULT_ALIAS, type InspectOptions, type PreviewFilter, type SourceDescription, type SourcePreview, type SourceSpec } from './source-spec.ts'

// A filtered preview reads this many rows at most and filters them (tabledata.list cannot filter).
export const PREVIEW_SCAN_ROWS = 50_000

interface TableResource { type?: string, numRows?: string, schema?: { fields?: BigQueryField[] } }

/**
 * A BigQuery table's or query's columns as a run stages them, from the table's metadata or a dry run
 * of the query (neither reads rows nor is billed); a table's row count from its metadata.
 */
export async function describeBigQuery (spec: SourceSpec, options: InspectOptions): Promise<SourceDescription> {
  const alias = spec.alias ?? DEFAULT_ALIAS
  const source = parseBigQueryUri(spec.uri, alias)
  try {
    const api = await connect(source, alias, options)
    const { fields, rows } = await shape(api, source)
    const columns = planFields(fields, alias, source.display).map((p) => ({ name: p.name, type: p.duckdbType }))
    return { columns, location: { display: source.display, what: source.what }, ...(rows === undefined ? {} : { rows: { count: rows, exact: true } }) }
  } catch (error) {
    throw bigQueryError(error, source, alias)
  }
}

/**
 * The first `limit` rows passing every filter, typed as a run types them. Without filters only those
 * rows are read; with filters the first PREVIEW_SCAN_ROWS rows are read and filtered in DuckDB, and a
 * note says so when the source has more.
 */
export async function previewBigQuery (spec: SourceSpec, request: { limit: number, filters?: readonly PreviewFilter[] }, options: InspectOptions): Promise<SourcePreview> {
  const alias = spec.alias ?? DEFAULT_ALIAS
  const source = parseBigQueryUri(spec.uri, alias)
  const limit = Math.max(0, Math.floor(request.limit))
  const filtered = (request.filters ?? []).length > 0
  return await withSandbox(options, {}, async ({ connection, tempDir }) => {
    const path = join(tempDir, 'preview.csv')
    const scan = filtered ? PREVIEW_SCAN_ROWS : limit
    const extracted = await extractRows(await connect(source, alias, options), source, { alias, path, limit: scan }, { intervalMs: 1000, signal: new AbortController().signal, report: () => {} })
      .catch((error: unknown) => { throw bigQueryError(error, source, alias) })
    const read = extracted.rows
    await loadExtract(connection, 'kalla_preview', path, extracted.plans)
    const columns = (await connection.runAndReadAll('DESCRIBE kalla_preview')).getRowObjectsJson().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }))
    const { where, values } = filterClause(checkFilters(alias, columns, request.filters ?? []), 'duckdb')
    try {
      const reader = await connection.runAndReadAll(`SELECT * FROM ${ident('kalla_preview')}${where} LIMIT ${limit}`, values)
      const rows = jsonSafeRows(reader.getRowObjectsJson() as Record<string, unknown>[], columns)
      const capped = filtered && read >= PREVIEW_SCAN_ROWS && rows.length < limit
      return { columns, rows, ...(capped ? { notes: [`The filters were applied to the first ${PREVIEW_SCAN_ROWS.toLocaleString('en-US')} rows of ${source.what} only.`] } : {}) }
    } catch (error) {
      if (filtered && /Conversion Error|Could not convert/i.test(String((error as Error).message))) {
        throw new EngineError('ENGINE_FILTER_INVALID', `A filter value does not fit its column: ${duckdbMessage(error)}.`, { cause: error })
      }
      throw error
    }
  })
}

// Describing and previewing answer a person waiting: one retry, and the service's time limit per call.
async function connect (source: BigQuerySource, alias: string, options: InspectOptions): Promise<BigQueryApi> {
  const timeout = options.queryTimeoutMs ?? options.connectTimeoutMs
  return await bigQueryApi(source, alias, { maxRetries: 1, ...(timeout === undefined ? {} : { requestTimeoutMs: timeout }) })
}

async function shape (api: BigQueryApi, source: BigQuerySource): Promise<{ fields: BigQueryField[], rows?: number }> {
  if (source.table === undefined) return { fields: await dryRunSchema(api, source, source.query ?? '') }
  const table = await api.get<TableResource>(`/datasets/${source.dataset!}/tables/${source.table}`)
  if (table.type !== undefined && table.type !== 'TABLE' && table.type !== 'SNAPSHOT') {
    return { fields: await dryRunSchema(api, source, `SELECT * FROM \`${source.project}.${source.dataset!}.${source.table}\``) }
  }
  return { fields: table.schema?.fields ?? [], rows: Number(table.numRows ?? 0) }
}
