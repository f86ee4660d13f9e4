import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serviceAccountKey, TokenIssuer, type ServiceAccountJson } from './bigquery-auth.ts'

export { serviceAccountKey, type ServiceAccountJson } from './bigquery-auth.ts'

/** A field of a table or query schema, as the REST API writes it. */
export interface BigQuerySchemaField { name: string, type: string, mode?: string, precision?: string, scale?: string, fields?: BigQuerySchemaField[] }
/** One value as the REST API sends it: its text (INT64 digits, NUMERIC text, TIMESTAMP microseconds, BYTES base64), or null. */
export type BigQueryCell = string | null
/** Rows as a list, or generated on demand (a million rows need not sit in memory). */
export type BigQueryRows = BigQueryCell[][] | { count: number, row: (index: number) => BigQueryCell[] }

export interface BigQueryTable { schema: BigQuerySchemaField[], rows: BigQueryRows, type?: 'TABLE' | 'VIEW', forbidden?: boolean }
export type BigQueryQueryResult = { schema: BigQuerySchemaField[], rows: BigQueryRows, pendingPolls?: number } | { error: { status: number, reason: string, message: string } }
/** Fails page requests (tabledata.list, getQueryResults) once `afterPages` more pages were served, `times` times (default: always). */
export interface BigQueryFault { afterPages: number, status: number | 'reset', times?: number }

export interface BigQueryServer {
  /** The client's apiEndpoint (and a source URI's endpoint=). */
  url: string
  project: string
  /** A key the stand-in accepts; its token_uri is the stand-in's token endpoint. */
  credentials: ServiceAccountJson
  /** A key for the same account that the stand-in does not know (a deleted or rotated key). */
  unknownKey: () => ServiceAccountJson
  /** bigquery://project/dataset?table=...&credentials=...&endpoint=... for this stand-in. */
  uri: (where: { dataset?: string, table?: string, query?: string }, key?: object) => string
  addTable: (dataset: string, name: string, table: BigQueryTable) => void
  addQuery: (sql: string, result: BigQueryQueryResult) => void
  /** Marks a table modified now (as a load job would). */
  touch: (dataset: string, name: string) => void
  fail: (fault: BigQueryFault) => void
  /** Called with the number of pages served so far, before each page is answered. */
  onPage?: (served: number) => void
  /** Every API request: method, path and query string. */
  requests: Array<{ method: string, path: string, search: string }>
  pageRows: number
  close: () => Promise<void>
}

interface Job { result: { schema: BigQuerySchemaField[], rows: BigQueryRows }, polls: number }

const count = (rows: BigQueryRows): number => Array.isArray(rows) ? rows.length : rows.count
const rowAt = (rows: BigQueryRows, i: number): BigQueryCell[] => Array.isArray(rows) ? rows[i]! : rows.row(i)
// A listed row's JSON is kept once written: a table read again (a benchmark's repetitions) costs the stand-in nothing.
const rendered = new WeakMap<object, string[]>()
function rowJson (rows: BigQueryRows, i: number): string {
  const cache = Array.isArray(rows) ? rendered.get(rows) ?? rendered.set(rows, []).get(rows)! : undefined
  const cached = cache?.[i]
  if (cached !== undefined) return cached
  const json = `{"f":[${rowAt(rows, i).map((v) => `{"v":${JSON.stringify(v)}}`).join(',')}]}`
  if (cache !== undefined) cache[i] = json
  return json
}

/**
 * A BigQuery REST stand-in on a loopback port, for the official client pointed at it with apiEndpoint:
 * tables.get, tabledata.list, jobs.query (with dryRun) and jobs.getQueryResults, each paged by pageToken
 * at most `pageRows` rows a page, behind Google's OAuth JWT bearer token endpoint. Queries are not
 * parsed: each SQL text a test uses is given its result (or error) with addQuery.
 */
export async function startBigQueryServer (options: { project?: string, pageRows?: number } = {}): Promise<BigQueryServer> {
  const standIn = new StandIn(options.project ?? 'kalla-test', options.pageRows ?? 1000)
  const http = createServer((request, response) => { standIn.handle(request, response).catch(() => { response.destroy() }) })
  await new Promise<void>((resolve) => { http.listen(0, '127.0.0.1', resolve) })
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  const credentials = serviceAccountKey(standIn.project, `kalla-reader@${standIn.project}.iam.gserviceaccount.com`, `${url}/token`)
  standIn.issuer.allow(credentials)
  const server: BigQueryServer = {
    url,
    project: standIn.project,
    credentials,
    unknownKey: () => serviceAccountKey(standIn.project, credentials.client_email, credentials.token_uri),
    uri: (where, key = credentials) => {
      const params = new URLSearchParams()
      if (where.table !== undefined) params.set('table', where.table)
      if (where.query !== undefined) params.set('query', where.query)
      params.set('credentials', Buffer.from(JSON.stringify(key)).toString('base64'))
      params.set('endpoint', url)
      return `bigquery://${standIn.project}${where.dataset === undefined ? '' : `/${where.dataset}`}?${params.toString()}`
    },
    addTable: (dataset, name, table) => { standIn.tables.set(`${dataset}.${name}`, { ...table, modified: standIn.clock++ }) },
    addQuery: (sql, result) => { standIn.queries.set(sql, result) },
    touch: (dataset, name) => { const t = standIn.tables.get(`${dataset}.${name}`); if (t !== undefined) t.modified = ++standIn.clock },
    fail: (fault) => { standIn.faults.push({ ...fault, afterPages: standIn.pagesServed + fault.afterPages }) },
    get onPage () { return standIn.onPage },
    set onPage (hook) { standIn.onPage = hook },
    requests: standIn.requests,
    get pageRows () { return standIn.pageRows },
    set pageRows (rows) { standIn.pageRows = rows },
    close: async () => { await new Promise<void>((resolve) => { http.close(() => { resolve() }); http.closeAllConnections() }) }
  }
  return server
}

type Route = (response: ServerResponse, match: string[], url: URL, body: string) => void

/** The stand-in's state and its answers, one method an endpoint. */
class StandIn {
  readonly tables = new Map<string, BigQueryTable & { modified: number }>()
  readonly queries = new Map<string, BigQueryQueryResult>()
  readonly jobs = new Map<string, Job>()
  readonly issuer = new TokenIssuer()
  readonly faults: BigQueryFault[] = []
  readonly requests: Array<{ method: string, path: string, search: string }> = []
  pagesServed = 0
  clock = Date.parse('2026-01-01T00:00:00Z')
  onPage: ((served: number) => void) | undefined
  readonly project: string
  pageRows: number
  private readonly routes: Array<[string, RegExp, Route]> = [
    ['GET', /^\/datasets\/([\w-]+)\/tables\/([\w-]+)$/, (response, [dataset, name]) => { this.tableResource(response, dataset!, name!) }],
    ['GET', /^\/datasets\/([\w-]+)\/tables\/([\w-]+)\/data$/, (response, [dataset, name], url) => { this.tableData(response, dataset!, name!, url) }],
    ['POST', /^\/queries$/, (response, _, __, body) => { this.query(response, body) }],
    ['GET', /^\/queries\/([\w-]+)$/, (response, [jobId], url) => { this.queryResults(response, jobId!, url) }]
  ]

  constructor (project: string, pageRows: number) {
    this.project = project
    this.pageRows = pageRows
  }

  async handle (request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body = ''
    for await (const chunk of request) body += String(chunk)
    const url = new URL(request.url ?? '/', 'http://stand-in')
    if (request.method === 'POST' && url.pathname === '/token') { const [status, json] = this.issuer.exchange(body); send(response, status, JSON.stringify(json)); return }
    const prefix = `/bigquery/v2/projects/${this.project}`
    this.requests.push({ method: request.method ?? '', path: url.pathname, search: url.search })
    if (!this.issuer.authorized(request.headers.authorization)) { apiError(response, 401, 'unauthorized', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.'); return }
    if (!url.pathname.startsWith(`${prefix}/`)) { apiError(response, 404, 'notFound', `Not found: ${url.pathname}`); return }
    const path = url.pathname.slice(prefix.length)
    for (const [method, pattern, route] of this.routes) {
      const match = pattern.exec(path)
      if (match !== null && method === request.method) { route(response, match.slice(1), url, body); return }
    }
    apiError(response, 404, 'notFound', `Not found: ${url.pathname}`)
  }

  private tableResource (response: ServerResponse, dataset: string, name: string): void {
    const table = this.visible(response, dataset, name)
    if (table === undefined) return
    send(response, 200, JSON.stringify({
      kind: 'bigquery#table',
      id: `${this.project}:${dataset}.${name}`,
      tableReference: { projectId: this.project, datasetId: dataset, tableId: name },
      schema: { fields: table.schema },
      numRows: String(count(table.rows)),
      type: table.type ?? 'TABLE',
      lastModifiedTime: String(table.modified),
      location: 'US'
    }))
  }

  private tableData (response: ServerResponse, dataset: string, name: string, url: URL): void {
    const table = this.visible(response, dataset, name)
    if (table === undefined) return
    if (table.type === 'VIEW') { apiError(response, 400, 'invalid', 'Cannot list a table of type VIEW.'); return }
    const offset = offsetOf(response, url)
    if (offset !== undefined) this.page(response, table.rows, offset, maxResultsOf(url), { kind: 'bigquery#tableDataList', etag: randomBytes(6).toString('base64') })
  }

  private query (response: ServerResponse, body: string): void {
    const request = JSON.parse(body) as { query: string, dryRun?: boolean, useLegacySql?: boolean, maxResults?: number }
    const result = this.queries.get(request.query)
    if (request.useLegacySql !== false) { apiError(response, 400, 'invalidQuery', 'The stand-in speaks GoogleSQL only: set useLegacySql to false.'); return }
    if (result === undefined) { apiError(response, 400, 'invalidQuery', `Unrecognized name: the stand-in has no result for the query ${request.query}`); return }
    if ('error' in result) { apiError(response, result.error.status, result.error.reason, result.error.message); return }
    const reference = { projectId: this.project, jobId: `job_${randomBytes(9).toString('base64url')}`, location: 'US' }
    if (request.dryRun === true) { send(response, 200, JSON.stringify({ kind: 'bigquery#queryResponse', schema: { fields: result.schema }, jobReference: { projectId: this.project, location: 'US' }, totalBytesProcessed: '0', jobComplete: true, cacheHit: false })); return }
    const job: Job = { result, polls: result.pendingPolls ?? 0 }
    this.jobs.set(reference.jobId, job)
    if (job.polls > 0) { send(response, 200, JSON.stringify({ kind: 'bigquery#queryResponse', jobReference: reference, jobComplete: false })); return }
    this.page(response, result.rows, 0, request.maxResults ?? Infinity, { kind: 'bigquery#queryResponse', schema: { fields: result.schema }, jobReference: reference, jobComplete: true, totalBytesProcessed: '0', cacheHit: false })
  }

  private queryResults (response: ServerResponse, jobId: string, url: URL): void {
    const job = this.jobs.get(jobId)
    if (job === undefined) { apiError(response, 404, 'notFound', `Not found: Job ${this.project}:US.${jobId}`); return }
    const reference = { projectId: this.project, jobId, location: 'US' }
    if (job.polls > 0) { job.polls--; send(response, 200, JSON.stringify({ kind: 'bigquery#getQueryResultsResponse', jobReference: reference, jobComplete: false })); return }
    const offset = offsetOf(response, url)
    if (offset !== undefined) this.page(response, job.result.rows, offset, maxResultsOf(url), { kind: 'bigquery#getQueryResultsResponse', schema: { fields: job.result.schema }, jobReference: reference, jobComplete: true, cacheHit: false })
  }

  private page (response: ServerResponse, rows: BigQueryRows, offset: number, maxResults: number, extra: object): void {
    const fault = this.faults.find((f) => this.pagesServed >= f.afterPages && (f.times ?? Infinity) > 0)
    this.onPage?.(this.pagesServed)
    if (fault !== undefined) {
      fault.times = (fault.times ?? Infinity) - 1
      if (fault.status === 'reset') { response.socket?.destroy(); return }
      apiError(response, fault.status, 'backendError', 'Error encountered during execution. Retrying may solve the problem.')
      return
    }
    this.pagesServed++
    const end = Math.min(count(rows), offset + Math.max(1, Math.min(maxResults, this.pageRows)))
    const body: string[] = []
    for (let i = offset; i < end; i++) body.push(rowJson(rows, i))
    const token = end < count(rows) ? `,"pageToken":"${Buffer.from(`offset:${end}`).toString('base64url')}"` : ''
    const head = JSON.stringify({ ...extra, totalRows: String(count(rows)) }).slice(0, -1)
    send(response, 200, `${head},"rows":[${body.join(',')}]${token}}`)
  }

  private visible (response: ServerResponse, dataset: string, name: string): (BigQueryTable & { modified: number }) | undefined {
    const table = this.tables.get(`${dataset}.${name}`)
    const id = `${this.project}:${dataset}.${name}`
    if (table === undefined) { apiError(response, 404, 'notFound', `Not found: Table ${id}`); return undefined }
    if (table.forbidden === true) {
      apiError(response, 403, 'accessDenied', `Access Denied: Table ${id}: Permission bigquery.tables.getData denied on table ${id} (or it may not exist).`)
      return undefined
    }
    return table
  }
}

function offsetOf (response: ServerResponse, url: URL): number | undefined {
  const token = url.searchParams.get('pageToken')
  if (token === null) return Number(url.searchParams.get('startIndex') ?? 0)
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'))
  if (match === null) { apiError(response, 400, 'invalid', 'Invalid page token.'); return undefined }
  return Number(match[1])
}

function maxResultsOf (url: URL): number {
  const value = url.searchParams.get('maxResults')
  return value === null ? Infinity : Number(value)
}

function apiError (response: ServerResponse, status: number, reason: string, message: string): void {
  const statuses: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 500: 'INTERNAL', 503: 'UNAVAILABLE' }
  send(response, status, JSON.stringify({ error: { code: status, message, errors: [{ message, domain: 'global', reason }], status: statuses[status] ?? 'UNKNOWN' } }))
}

function send (response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' })
  response.end(body)
}
