import type { BigQuery } from '@google-cloud/bigquery'
import { EngineError } from '../../errors.ts'
import type { BigQuerySource } from './uri.ts'

// google-auth-library always posts the signed assertion here, whatever the key's token_uri says.
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token'
const SCOPE = 'https://www.googleapis.com/auth/bigquery'

/** How long one BigQuery API call may take, and how often a failed call is tried again. */
export interface BigQueryLimits { requestTimeoutMs?: number, maxRetries?: number }

/** The REST API reached through the official client: its authentication, retries and user agent. */
export interface BigQueryApi {
  get: <T>(path: string, qs?: Record<string, string | number | boolean | undefined>) => Promise<T>
  /** A GET whose large answer (a page of rows) comes back as its text, skipping the client's deep copy of every response. */
  getText: (path: string, qs?: Record<string, string | number | boolean | undefined>) => Promise<string>
  post: <T>(path: string, body: object) => Promise<T>
}

/**
 * The official client for the source's project, with its key, endpoint and limits. Requests go to the
 * key's token_uri (Google's own unless the key says otherwise), so a private token endpoint works too.
 */
export async function bigQueryApi (source: BigQuerySource, alias: string, limits: BigQueryLimits = {}): Promise<BigQueryApi> {
  if (source.credentials === undefined) {
    throw new EngineError('ENGINE_SOURCE_AUTH_FAILED', `${alias}: the BigQuery source ${source.display} has no credentials=: add the service account's JSON key, base64-encoded, to its URI.`, { stage: 'staging' })
  }
  // Loaded when a BigQuery source is read: Google's client is large, and most runs never need it.
  const [{ BigQuery: Client }, { JWT }] = await Promise.all([import('@google-cloud/bigquery'), import('google-auth-library')])
  const auth = new JWT({
    email: source.credentials.client_email,
    key: source.credentials.private_key,
    ...(source.credentials.private_key_id === undefined ? {} : { keyId: source.credentials.private_key_id }),
    scopes: [SCOPE]
  })
  const tokenUri = source.credentials.token_uri
  if (tokenUri !== undefined && tokenUri !== GOOGLE_TOKEN_URL) {
    auth.transporter.interceptors.request.add({
      resolved: async (config) => {
        if (String(config.url) === GOOGLE_TOKEN_URL) config.url = new URL(tokenUri)
        return config
      }
    })
  }
  const maxRetries = limits.maxRetries ?? 3
  const options = {
    projectId: source.project,
    authClient: auth,
    ...(source.endpoint === undefined ? {} : { apiEndpoint: source.endpoint }),
    ...(source.location === undefined ? {} : { location: source.location }),
    ...(limits.requestTimeoutMs === undefined ? {} : { timeout: limits.requestTimeoutMs })
  }
  const client = new Client({ ...options, retryOptions: { maxRetries, retryDelayMultiplier: 2, maxRetryDelay: 8, totalTimeout: 120 } })
  // The client cannot retry a streamed request (it fails re-piping the body): pages are retried here.
  const pager = new Client({ ...options, retryOptions: { autoRetry: false } })
  const call = async <T>(options: object): Promise<T> => await new Promise<T>((resolve, reject) => {
    client.request(options as Parameters<BigQuery['request']>[0], (error, body) => { if (error === null || error === undefined) resolve(body as T); else reject(error) })
  })
  const query = (qs?: Record<string, string | number | boolean | undefined>): object => Object.fromEntries(Object.entries(qs ?? {}).filter(([, v]) => v !== undefined))
  return {
    get: async (path, qs) => await call({ uri: path, qs: query(qs) }),
    getText: async (path, qs) => await withRetries(maxRetries, async () => await streamed(pager, { uri: path, qs: query(qs) })),
    post: async (path, body) => await call({ uri: path, method: 'POST', json: body })
  }
}

// As the client retries: rate limits, server errors and dropped connections, waiting 1, 2, 4... seconds.
async function withRetries<T> (maxRetries: number, attempt: () => Promise<T>): Promise<T> {
  for (let tried = 0; ; tried++) {
    try {
      return await attempt()
    } catch (error) {
      const status = statusOf(error)
      const transient = status === undefined ? !(error instanceof SyntaxError) : [408, 429, 500, 502, 503, 504].includes(status)
      if (!transient || tried >= maxRetries) throw error
      await new Promise((resolve) => setTimeout(resolve, Math.min(8000, 1000 * 2 ** tried) + Math.random() * 1000))
    }
  }
}

// The client's stream form keeps its authentication but hands over the body as it came.
async function streamed (client: BigQuery, options: object): Promise<string> {
  return await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = []
    let status = 200
    client.requestStream(options as Parameters<BigQuery['requestStream']>[0])
      .on('response', (response: { statusCode?: number }) => { status = response.statusCode ?? 200 })
      .on('data', (chunk: Buffer) => { chunks.push(chunk) })
      .on('error', reject)
      .on('end', () => {
        try {
          const text = Buffer.concat(chunks).toString('utf8')
          if (status < 400) { resolve(text); return }
          const body = JSON.parse(text) as { error?: { code?: number, message?: string, errors?: unknown[] } }
          reject(Object.assign(new Error(body.error?.message ?? `HTTP ${status}`), { code: status, errors: body.error?.errors ?? [] }))
        } catch (error) {
          reject(error)
        }
      })
  })
}

/** Removes the key (and anything of it an error might quote) from a message. */
export function scrubKey (message: string, source: BigQuerySource): string {
  let clean = message
  const key = source.credentials
  if (key === undefined) return clean
  for (const secret of [key.private_key, ...key.private_key.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----'))]) {
    clean = clean.split(secret).join('***')
  }
  return clean
}

/** A failed BigQuery call as a coded error naming the source, never its credentials. */
export function bigQueryError (error: unknown, source: BigQuerySource, alias: string): EngineError {
  if (error instanceof EngineError) return error
  const status = statusOf(error)
  const reason = (error as { errors?: Array<{ reason?: string }> }).errors?.[0]?.reason
  const detail = trimmed(scrubKey(messageOf(error), source))
  // The client's error holds the request it made (its access token among the headers): a log that
  // serialises causes gets only what BigQuery answered.
  const options = { stage: 'staging' as const, cause: Object.assign(new Error(detail), { status, reason }) }
  if (status === 401 || /invalid_grant|invalid_client|unauthorized_client/.test(detail)) {
    return new EngineError('ENGINE_SOURCE_AUTH_FAILED', `${alias}: BigQuery refused the service-account key of ${source.display} (${detail}). Check that the key in credentials= is current and not deleted.`, options)
  }
  if (status === 403 || reason === 'accessDenied') {
    return new EngineError('ENGINE_SOURCE_AUTH_FAILED', `${alias}: the service account may not read ${source.what} in ${source.display} (${detail}). Grant it BigQuery Data Viewer on the data and Job User on the project.`, options)
  }
  if (status === 404 || reason === 'notFound') {
    return new EngineError('ENGINE_SOURCE_NOT_FOUND', `${alias}: ${source.table !== undefined ? source.what : 'a table in the source query'} does not exist in ${source.display} (${detail}).`, options)
  }
  if (status === 400 || reason === 'invalidQuery' || reason === 'invalid') {
    return new EngineError('ENGINE_SOURCE_QUERY_FAILED', `${alias}: the BigQuery source query failed: ${detail}.`, options)
  }
  return new EngineError('ENGINE_SOURCE_UNREACHABLE', `${alias}: reading from BigQuery ${source.display} failed (${detail}). Check that the endpoint is reachable, then run again.`, options)
}

function statusOf (error: unknown): number | undefined {
  const e = error as { code?: unknown, status?: unknown, response?: { status?: unknown } }
  for (const value of [e.code, e.status, e.response?.status]) if (typeof value === 'number') return value
  return undefined
}

function messageOf (error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  // A network failure says which (ECONNREFUSED, ENOTFOUND) only in its cause.
  const code = (error as { cause?: { code?: unknown } }).cause?.code
  return typeof code === 'string' && !message.includes(code) ? `${message}: ${code}` : message
}

// BigQuery's messages can quote a whole query or list every inner error; the first lines say it.
function trimmed (message: string): string {
  const text = message.replace(/\s+/g, ' ').trim().replace(/\.(?=:|$)/g, '')
  return text.length > 300 ? `${text.slice(0, 297)}...` : text
}
