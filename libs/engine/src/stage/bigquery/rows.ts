import { EngineError } from '../../errors.ts'
import type { BigQueryApi } from './client.ts'
import { fromRows, parsePage, type Cells, type ParsedPage } from './page-text.ts'
import type { BigQueryField } from './schema.ts'
import type { BigQuerySource } from './uri.ts'

/** A source opened for reading: its schema, its row count, and its rows page by page. */
export interface OpenedRows {
  fields: BigQueryField[]
  /** From the table's metadata or the query job's statistics. */
  totalRows: number
  /** Pages in order; no page is asked for beyond the first `limit` rows. */
  pages: (limit?: number) => AsyncGenerator<Cells>
  /** Checks, once every row is read, that they all come from one state of the source. */
  finish: () => Promise<void>
}

interface Page { pageToken?: string, totalRows?: string }
interface TableResource { type?: string, numRows?: string, lastModifiedTime?: string, schema?: { fields?: BigQueryField[] } }
interface QueryResponse extends Page { rows?: Array<{ f: Array<{ v: unknown }> }>, jobComplete?: boolean, jobReference?: { jobId?: string, location?: string }, schema?: { fields?: BigQueryField[] } }

// The API caps a page at about 10 MB whatever this asks; fewer, larger pages mean fewer round trips.
const PAGE_ROWS = 100_000
// How long one jobs.query or getQueryResults call waits for the job before answering "not yet".
const WAIT_MS = 10_000
const TIMESTAMPS = { 'formatOptions.useInt64Timestamp': true }

/**
 * Opens a table (tabledata.list, paged by pageToken; free of query charges) or a query (one job, whose
 * result is one snapshot, paged by getQueryResults). Views and external tables are read through a query.
 * A table read that finds the table modified meanwhile fails with ENGINE_SOURCE_CHANGED.
 */
export async function openRows (api: BigQueryApi, source: BigQuerySource, alias: string): Promise<OpenedRows> {
  if (source.table === undefined) return await openQuery(api, source, source.query ?? '')
  const path = `/datasets/${source.dataset!}/tables/${source.table}`
  const table = await api.get<TableResource>(path)
  if (table.type !== undefined && table.type !== 'TABLE' && table.type !== 'SNAPSHOT') {
    return await openQuery(api, source, `SELECT * FROM \`${source.project}.${source.dataset!}.${source.table}\``)
  }
  return {
    fields: table.schema?.fields ?? [],
    totalRows: Number(table.numRows ?? 0),
    pages: (limit) => pagesOf(async (pageToken) => parsePage<Page>(await api.getText(`${path}/data`, { maxResults: Math.min(PAGE_ROWS, limit ?? PAGE_ROWS), pageToken, ...TIMESTAMPS })), limit),
    finish: async () => {
      const after = await api.get<TableResource>(path)
      if (after.lastModifiedTime !== table.lastModifiedTime) {
        throw new EngineError('ENGINE_SOURCE_CHANGED', `${alias}: ${source.what} in ${source.display} was modified while Kalla read it, so the rows read may mix two versions. Run again once the loads into it have finished, or read it with ?query=, which reads one snapshot.`, { stage: 'staging' })
      }
    }
  }
}

/** The query's schema without running it (a dry run, which BigQuery does not bill). */
export async function dryRunSchema (api: BigQueryApi, source: BigQuerySource, query: string): Promise<BigQueryField[]> {
  const response = await api.post<QueryResponse>('/queries', { ...queryRequest(source, query), dryRun: true })
  return response.schema?.fields ?? []
}

async function openQuery (api: BigQueryApi, source: BigQuerySource, query: string): Promise<OpenedRows> {
  const response = await api.post<QueryResponse>('/queries', queryRequest(source, query))
  const jobId = response.jobReference?.jobId
  const location = response.jobReference?.location ?? source.location
  const results = async (more: Record<string, string | number | boolean | undefined>): Promise<ParsedPage<QueryResponse>> =>
    parsePage<QueryResponse>(await api.getText(`/queries/${jobId ?? ''}`, { location, timeoutMs: WAIT_MS, maxResults: PAGE_ROWS, ...TIMESTAMPS, ...more }))
  let first: ParsedPage<QueryResponse> = { meta: response, cells: fromRows(response.rows ?? []) }
  while (first.meta.jobComplete !== true) first = await results({})
  const done = first
  return {
    fields: done.meta.schema?.fields ?? [],
    totalRows: Number(done.meta.totalRows ?? 0),
    pages: (limit) => pagesOf(async (pageToken) => pageToken === undefined ? done : await results({ pageToken }), limit),
    finish: async () => {}
  }
}

function queryRequest (source: BigQuerySource, query: string): object {
  return {
    query,
    useLegacySql: false,
    maxResults: PAGE_ROWS,
    timeoutMs: WAIT_MS,
    formatOptions: { useInt64Timestamp: true },
    ...(source.location === undefined ? {} : { location: source.location }),
    ...(source.dataset === undefined ? {} : { defaultDataset: { projectId: source.project, datasetId: source.dataset } })
  }
}

// The next page is asked for as soon as its token is known, so the network and the writing overlap.
async function * pagesOf (fetch: (pageToken?: string) => Promise<ParsedPage<Page>>, limit = Infinity): AsyncGenerator<Cells> {
  let pending: Promise<ParsedPage<Page>> | undefined = fetch()
  let rows = 0
  while (pending !== undefined) {
    const page: ParsedPage<Page> = await pending
    const token = page.meta.pageToken
    rows += page.cells.rows
    pending = token === undefined || token === '' || rows >= limit ? undefined : fetch(token)
    // Awaited on the next turn; a consumer that stops early must not leave an unhandled rejection.
    pending?.catch(() => {})
    yield page.cells
  }
}
