import { EngineError } from '../../errors.ts'

/** An Elasticsearch source: the node to ask, its credentials, the index and the query that select the documents. */
export interface ElasticsearchSource {
  /** http(s)://host:port with any path prefix, no credentials. */
  node: string
  auth?: { username: string, password: string } | { apiKey: string }
  /** An index name, alias, comma-separated list or wildcard pattern. */
  index: string
  /** The query clause of the search (match_all when the URI gives none). */
  query: Record<string, unknown>
  pageSize: number
  /** Safe to show: host, port and index, never credentials. */
  display: string
  what: string
}

const DEFAULT_PAGE = 5000
// Elasticsearch refuses a page larger than index.max_result_window (10,000 unless raised).
const MAX_PAGE = 10_000
const KNOWN = new Set(['query', 'q', 'api_key', 'page_size'])

/**
 * Parses elasticsearch://[user:password@]host:9200/index (HTTPS), or http(s)://... for an explicit scheme,
 * with ?query=<JSON query DSL, URL-encoded> or ?q=<query string>, ?api_key=<encoded API key> and ?page_size=.
 * @example parseElasticsearchUri('http://127.0.0.1:9200/payments?q=status:settled', 'payments').index // 'payments'
 */
export function parseElasticsearchUri (uri: string, alias: string): ElasticsearchSource {
  const url = parseUrl(uri, alias)
  const segments = url.pathname.split('/').filter((s) => s !== '')
  const index = decodeURIComponent(segments.pop() ?? '')
  const host = `${url.hostname}${url.port === '' ? '' : `:${url.port}`}`
  const display = `${host}/${index}`
  if (index === '' || index.startsWith('_')) invalid(alias, `the Elasticsearch URI for ${host} must end with the index to read, as in elasticsearch://${host}/payments.`)
  const unknown = [...url.searchParams.keys()].filter((k) => !KNOWN.has(k))
  if (unknown.length > 0) invalid(alias, `the Elasticsearch URI for ${display} has unknown parameters (${unknown.join(', ')}); it takes query=, q=, api_key= and page_size=.`)
  const scheme = url.protocol === 'http:' ? 'http' : 'https'
  const prefix = segments.length === 0 ? '' : `/${segments.join('/')}`
  const node = `${scheme}://${url.hostname.includes(':') ? `[${url.hostname}]` : url.hostname}${url.port === '' ? '' : `:${url.port}`}${prefix}`
  const what = url.searchParams.has('query') || url.searchParams.has('q') ? `the documents of ${index} that the source query selects` : `the index ${index}`
  return { node, index, query: queryOf(url, alias, display), pageSize: pageSizeOf(url, alias, display), display, what, ...authOf(url) }
}

function parseUrl (uri: string, alias: string): URL {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return invalid(alias, 'the Elasticsearch URI is not valid. Use elasticsearch://user:password@host:9200/index or https://host:9200/index?api_key=....')
  }
  if (!['elasticsearch:', 'http:', 'https:'].includes(url.protocol) || url.hostname === '') {
    return invalid(alias, 'an Elasticsearch URI must start with elasticsearch://, https:// or http:// and name a host.')
  }
  return url
}

function authOf (url: URL): { auth?: ElasticsearchSource['auth'] } {
  const apiKey = url.searchParams.get('api_key')
  if (apiKey !== null && apiKey !== '') return { auth: { apiKey } }
  if (url.username === '') return {}
  return { auth: { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } }
}

function queryOf (url: URL, alias: string, display: string): Record<string, unknown> {
  const dsl = url.searchParams.get('query')
  const q = url.searchParams.get('q')
  if (dsl !== null && q !== null) invalid(alias, `the Elasticsearch URI for ${display} gives both query= and q=; keep one.`)
  if (q !== null) return { query_string: { query: q } }
  if (dsl === null) return { match_all: {} }
  let parsed: unknown
  try {
    parsed = JSON.parse(dsl)
  } catch (error) {
    return invalid(alias, `the query= of the Elasticsearch URI for ${display} is not JSON (${(error as Error).message}); write the query DSL as JSON, URL-encoded.`)
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || Object.keys(parsed).length === 0) {
    return invalid(alias, `the query= of the Elasticsearch URI for ${display} must be a JSON object such as {"term":{"status":"settled"}}.`)
  }
  // Both the bare clause and a search body's {"query": {...}} are accepted.
  const body = parsed as Record<string, unknown>
  const inner = body.query
  return Object.keys(body).length === 1 && inner !== null && typeof inner === 'object' ? inner as Record<string, unknown> : body
}

function pageSizeOf (url: URL, alias: string, display: string): number {
  const text = url.searchParams.get('page_size')
  if (text === null) return DEFAULT_PAGE
  const size = Number(text)
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) invalid(alias, `page_size in the Elasticsearch URI for ${display} must be a whole number from 1 to ${MAX_PAGE}.`)
  return size
}

function invalid (alias: string, message: string): never {
  throw new EngineError('ENGINE_SOURCE_URI_INVALID', `${alias}: ${message}`)
}
