import type { Client } from '@elastic/elasticsearch'
import { scrubSecrets } from '@kalla/proto'
import { EngineError } from '../../errors.ts'
import type { ElasticsearchSource } from './uri.ts'

/** How long describing or previewing may wait for the cluster; a run has its own time limit. */
export interface ElasticsearchLimits { connectTimeoutMs?: number, queryTimeoutMs?: number }

/**
 * The official client for the source's node. A run retries what is transient (a refused connection, 502,
 * 503, 504) twice, with the client's backoff; describing and previewing (given limits) answer at once.
 */
export async function elasticsearchClient (source: ElasticsearchSource, limits: ElasticsearchLimits = {}): Promise<Client> {
  const timeout = limits.queryTimeoutMs ?? limits.connectTimeoutMs
  // Loaded when an Elasticsearch source is read: most runs never need the client.
  const { Client: ElasticClient } = await import('@elastic/elasticsearch')
  return new ElasticClient({
    node: source.node,
    ...(source.auth === undefined ? {} : { auth: source.auth }),
    ...(timeout === undefined ? {} : { requestTimeout: timeout }),
    maxRetries: timeout === undefined ? 2 : 0,
    name: 'kalla'
  })
}

const REASON_LIMIT = 300

/** What the cluster answered to a refused request: its status and the error body, when there is one. */
export interface Refusal { statusCode: number, body: unknown }

/**
 * A failed Elasticsearch request as a coded error naming the source, never its credentials: bad
 * credentials, a missing index, permission denied, a failing query (the server's reason, trimmed).
 */
export function elasticsearchError (error: unknown, source: ElasticsearchSource, alias: string, uri: string): EngineError {
  if (error instanceof EngineError) return error
  const refusal = refusalOf(error)
  const coded = refusal === undefined ? transportError(error, source, alias) : refusedError(refusal, source, alias, error)
  return new EngineError(coded.code, scrubSecrets(coded.message, uri), { stage: 'staging', cause: error })
}

// The client's errors are told apart by name, so that recognising them does not load the client.
function isClientError (error: unknown, name: string): error is Error & { statusCode?: number, body?: unknown } {
  return error instanceof Error && error.name === name
}

function refusalOf (error: unknown): Refusal | undefined {
  if (isClientError(error, 'ResponseError')) return { statusCode: error.statusCode ?? 500, body: error.body }
  if (error !== null && typeof error === 'object' && 'statusCode' in error && 'body' in error && !(error instanceof Error)) return error as Refusal
  return undefined
}

function refusedError (refusal: Refusal, source: ElasticsearchSource, alias: string, cause: unknown): EngineError {
  const { type, reason } = reasonOf(refusal.body)
  const said = reason === '' ? '' : ` (${reason})`
  if (refusal.statusCode === 401) {
    return new EngineError('ENGINE_SOURCE_AUTH_FAILED', `${alias}: the Elasticsearch cluster ${source.display} refused the user name and password or API key in the source URI.`, { cause })
  }
  if (refusal.statusCode === 403) {
    return new EngineError('ENGINE_SOURCE_AUTH_FAILED', `${alias}: the credentials in the source URI may not read ${source.what} on ${source.display}${said}. Grant them the read and view_index_metadata privileges on the index.`, { cause })
  }
  if (refusal.statusCode === 404 || type === 'index_not_found_exception') {
    return new EngineError('ENGINE_SOURCE_NOT_FOUND', `${alias}: the index ${source.index} does not exist on ${source.display.slice(0, source.display.lastIndexOf('/'))}.`, { cause })
  }
  if (refusal.statusCode === 400) {
    return new EngineError('ENGINE_SOURCE_QUERY_FAILED', `${alias}: the Elasticsearch source query on ${source.display} failed${said}. Check the query= or q= of the source URI.`, { cause })
  }
  return new EngineError('ENGINE_SOURCE_UNREACHABLE', `${alias}: reading ${source.what} from ${source.display} failed: the cluster answered ${refusal.statusCode}${said}.`, { cause })
}

function transportError (error: unknown, source: ElasticsearchSource, alias: string): EngineError {
  if (isClientError(error, 'ProductNotSupportedError')) {
    return new EngineError('ENGINE_SOURCE_UNREACHABLE', `${alias}: ${source.display} did not answer as an Elasticsearch cluster. Check the host and port of the source URI.`, { cause: error })
  }
  if (isClientError(error, 'RequestAbortedError')) return new EngineError('ENGINE_CANCELLED', 'The run was cancelled.', { cause: error })
  if (isClientError(error, 'TimeoutError')) {
    return new EngineError('ENGINE_TIMEOUT', `${alias}: the Elasticsearch cluster ${source.display} did not answer in time.`, { cause: error })
  }
  const message = error instanceof Error ? error.message : String(error)
  return new EngineError('ENGINE_SOURCE_UNREACHABLE', `${alias}: cannot connect to the Elasticsearch cluster ${source.display} (${trim(message)}). Check that it is running and reachable.`, { cause: error })
}

/** The error's type and its most telling reason: the root cause's, which says what was wrong. */
function reasonOf (body: unknown): { type?: string, reason: string } {
  const error = (body as { error?: unknown } | undefined)?.error
  if (typeof error === 'string') return { reason: trim(error) }
  const e = error as { type?: string, reason?: string, root_cause?: { type?: string, reason?: string }[], caused_by?: { reason?: string } } | undefined
  const root = e?.root_cause?.[0]
  const reason = root?.reason ?? e?.caused_by?.reason ?? e?.reason ?? ''
  return { ...(e?.type === undefined ? {} : { type: e.type }), reason: trim(reason) }
}

function trim (text: string): string {
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length <= REASON_LIMIT ? line : `${line.slice(0, REASON_LIMIT - 1)}…`
}
