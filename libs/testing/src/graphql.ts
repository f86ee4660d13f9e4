import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { createClient, type Client } from 'graphql-ws'
import WebSocket from 'ws'

export interface GraphqlResponse<T = Record<string, unknown>> {
  status: number
  data: T | null
  errors?: Array<{ message: string, path?: string[], extensions?: { code?: string, problems?: unknown[] } }>
}

/**
 * The admin key the test harnesses configure (KALLA_ADMIN_KEY) and the helpers below send by default:
 * random for each test process, so no fixed key exists anywhere.
 */
export const TEST_ADMIN_KEY = `kalla-test-admin-${randomBytes(24).toString('base64url')}`

/** Whose key a request carries; `key: null` sends none. */
export interface AuthOptions { key?: string | null }

/** The Authorization header for `key` (the test admin key by default), none for `key: null`. */
export function authHeaders (options: AuthOptions = {}): Record<string, string> {
  const key = options.key === undefined ? TEST_ADMIN_KEY : options.key
  return key === null ? {} : { authorization: `Bearer ${key}` }
}

/** The gateway's base URL once `app` listens on a free loopback port. */
export async function listen (app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
}

/** A query or mutation over HTTP POST, as any GraphQL client sends it. */
export async function graphql<T = Record<string, unknown>> (baseUrl: string, query: string, variables: Record<string, unknown> = {}, auth: AuthOptions = {}): Promise<GraphqlResponse<T>> {
  const response = await fetch(`${baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeaders(auth) }, body: JSON.stringify({ query, variables }) })
  const body = await response.json() as Omit<GraphqlResponse<T>, 'status'>
  return { status: response.status, ...body }
}

/** Like `graphql`, but fails the test with the errors when there are any. */
export async function graphqlOk<T = Record<string, unknown>> (baseUrl: string, query: string, variables: Record<string, unknown> = {}, auth: AuthOptions = {}): Promise<T> {
  const response = await graphql<T>(baseUrl, query, variables, auth)
  if (response.errors !== undefined || response.data === null) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`)
  return response.data
}

export interface Watched<T> {
  values: T[]
  /** Resolves when the server completes the subscription or fails it (with the error). */
  ended: Promise<{ error?: unknown }>
  /** Sends `complete` for this subscription, as a client that unsubscribes does. */
  unsubscribe: () => void
  client: Client
}

/** A graphql-ws client (graphql-transport-ws protocol) on the gateway's /graphql, without retries; the key goes in connection_init. */
export function wsClient (baseUrl: string, auth: AuthOptions = {}): Client {
  return createClient({ url: `${baseUrl.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: authHeaders(auth) })
}

/** Subscribes and collects every value; `field` picks the subscription's field out of each result. */
export function watch<T> (client: Client, field: string, query: string, variables: Record<string, unknown> = {}): Watched<T> {
  const values: T[] = []
  let unsubscribe: () => void = () => {}
  const ended = new Promise<{ error?: unknown }>((resolve) => {
    unsubscribe = client.subscribe<Record<string, T>>({ query, variables }, {
      next: (result) => {
        if (result.errors !== undefined) { resolve({ error: result.errors }); return }
        const value = result.data?.[field]
        if (value !== undefined) values.push(value)
      },
      error: (error) => { resolve({ error }) },
      complete: () => { resolve({}) }
    })
  })
  return { values, ended, unsubscribe, client }
}

/** The code of the first GraphQL error of a failed subscription, if it has one. */
export function errorCode (error: unknown): string | undefined {
  const first = Array.isArray(error) ? error[0] as { extensions?: { code?: string } } | undefined : undefined
  return first?.extensions?.code
}

/** A small RFC 4180 reader: quoted fields, doubled quotes, commas and newlines inside quotes. */
export function parseCsv (text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++ } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') { row.push(field); field = '' } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(field); rows.push(row); row = []; field = ''
    } else field += c
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row) }
  return rows
}
