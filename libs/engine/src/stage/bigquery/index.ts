import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { join } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import type { JobSource } from '@kalla/proto'
import { EngineError } from '../../errors.ts'
import { ident, literal } from '../../sql/quote.ts'
import { blanksToNull } from '../column-measure.ts'
import { describe } from '../columns.ts'
import type { StageContext, StagedTable } from '../context.ts'
import { bigQueryApi, bigQueryError, type BigQueryApi } from './client.ts'
import { openRows } from './rows.ts'
import type { Cells } from './page-text.ts'
import { planFields, type FieldPlan } from './schema.ts'
import { parseBigQueryUri, type BigQuerySource } from './uri.ts'

export { parseBigQueryUri, encodeCredentials, type BigQuerySource } from './uri.ts'
export { bigQueryApi, bigQueryError, type BigQueryApi, type BigQueryLimits } from './client.ts'

// The download is most of the staging work; DuckDB's parse of the extract is the rest.
const DOWNLOAD_SHARE = 0.9

/**
 * Stages a BigQuery table or query: pages of rows (REST, through the official client) are written as
 * CSV text to the job's temp directory as they arrive, then DuckDB reads the file with the exact column
 * types. One page at a time is in the JS heap, never the table.
 */
export async function stageBigQuery (context: StageContext, source: JobSource): Promise<StagedTable> {
  const bq = parseBigQueryUri(source.uri, source.alias)
  const extract = join(context.tempDir, `${source.alias}.bq.csv`)
  let plans: FieldPlan[]
  try {
    const api = await bigQueryApi(bq, source.alias)
    plans = (await extractRows(api, bq, { alias: source.alias, path: extract, ...(source.sample_rows === undefined ? {} : { limit: source.sample_rows }) }, context)).plans
  } catch (error) {
    if (context.signal.aborted) throw new EngineError('ENGINE_CANCELLED', 'The run was cancelled.', { stage: 'staging', cause: error })
    throw bigQueryError(error, bq, source.alias)
  }
  await loadExtract(context.connection, source.alias, extract, plans)
  const columns = await describe(context.connection, ident(source.alias))
  return { columns, typings: columns.map((c) => ({ name: c.name, type: c.type, how: 'source' as const })), blankRows: 0 }
}

/** Where an extract goes and how many rows it may hold (previews and samples read only the first rows). */
export interface ExtractTarget { alias: string, path: string, limit?: number }

/** Writes the source's rows to `target.path` as CSV text, reporting the fraction read; returns the column plans and the rows written. */
export async function extractRows (api: BigQueryApi, bq: BigQuerySource, target: ExtractTarget, progress: Pick<StageContext, 'intervalMs' | 'report' | 'signal'>): Promise<{ plans: FieldPlan[], rows: number }> {
  const opened = await openRows(api, bq, target.alias)
  const plans = planFields(opened.fields, target.alias, bq.display)
  const wanted = Math.min(opened.totalRows, target.limit ?? Infinity)
  const out = createWriteStream(target.path)
  let rows = 0
  const timer = setInterval(() => { progress.report(Math.min(rows / Math.max(1, wanted), 0.99) * DOWNLOAD_SHARE) }, progress.intervalMs)
  try {
    for await (const page of opened.pages(target.limit)) {
      progress.signal.throwIfAborted()
      const taken = target.limit === undefined ? page.rows : Math.min(page.rows, Math.max(0, target.limit - rows))
      if (page.rows > 0 && page.width !== plans.length) throw new Error(`BigQuery sent rows of ${page.width} values for ${plans.length} columns`)
      if (!out.write(csvText(page, taken, plans))) await once(out, 'drain')
      rows += taken
      if (target.limit !== undefined && rows >= target.limit) break
    }
    out.end()
    await once(out, 'finish')
    if (target.limit === undefined) await opened.finish()
  } catch (error) {
    out.destroy()
    throw error
  } finally {
    clearInterval(timer)
  }
  progress.report(DOWNLOAD_SHARE)
  return { plans, rows }
}

/**
 * Loads an extract into a table with the planned types. Empty and spaces-only text is NULL, as in
 * every format Kalla reads (every value is quoted, so allowing quoted NULLs turns "" into one).
 */
export async function loadExtract (connection: DuckDBConnection, table: string, path: string, plans: readonly FieldPlan[]): Promise<void> {
  const columns = plans.map((p) => `${literal(p.name)}: ${literal(p.duckdbType)}`).join(', ')
  await connection.run(`CREATE TABLE ${ident(table)} AS SELECT * FROM read_csv(${literal(path)}, header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = true, columns = {${columns}})`)
  await blanksToNull(connection, table, plans.filter((p) => p.duckdbType === 'VARCHAR').map((p) => p.name))
}

// NULL is an empty unquoted field; every value, even an empty string, is quoted.
function csvText (cells: Cells, rows: number, plans: readonly FieldPlan[]): string {
  const width = plans.length
  const parts: string[] = []
  for (let r = 0; r < rows; r++) {
    let line = ''
    for (let i = 0; i < width; i++) {
      const value = cells.values[r * width + i]
      if (i > 0) line += ','
      if (value !== null && value !== undefined) line += `"${plans[i]!.text(value).replaceAll('"', '""')}"`
    }
    parts.push(line)
  }
  return rows === 0 ? '' : parts.join('\n') + '\n'
}
