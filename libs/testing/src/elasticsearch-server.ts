import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { matches, type Query } from './elasticsearch-query.ts'

/** One stand-in index: its mapping and its documents, each `_source` kept as the exact JSON text given. */
export interface StandInIndex { mappings: Record<string, unknown>, documents: { _id: string, source: string }[] }

export interface ElasticsearchServerOptions {
  /** Basic-auth users, by name; when set (or apiKeys is), requests without valid credentials get 401. */
  users?: Record<string, string>
  /** Accepted API keys (the encoded form sent as `Authorization: ApiKey <key>`). */
  apiKeys?: string[]
  /** Indices that every credential may see but not read: 403 on their mapping, PIT and search. */
  forbidden?: string[]
}

/** A stand-in Elasticsearch node speaking the real REST API for what Kalla uses. */
export interface ElasticsearchServer {
  url: string
  indices: Map<string, StandInIndex>
  /** Adds an index; documents' `_source` given as objects are serialised, strings kept as written. */
  addIndex: (name: string, mappings: Record<string, unknown>, documents: { _id: string, source: string | Record<string, unknown> }[]) => void
  /** Point-in-time ids opened and not yet closed. */
  openPits: () => string[]
  /** Every request as "METHOD /path", in order. */
  requests: string[]
  /** Makes the search after `pages` successful pages fail with a 500 (once). */
  failSearchAfter: (pages: number) => void
  close: () => Promise<void>
}

interface Pit { index: string, documents: StandInIndex['documents'], selections: Map<string, Selection> }
// The documents a query selects within a point in time, with their _shard_doc (position), worked out once.
interface Selection { documents: StandInIndex['documents'], positions: number[] }
interface Search { pit?: { id?: string }, size?: number, sort?: unknown[], search_after?: unknown[], query?: Query, track_total_hits?: boolean }

/**
 * Starts an HTTP server on 127.0.0.1 that answers the official client as Elasticsearch 9 does for
 * `GET /{index}/_mapping`, `POST /{index}/_pit`, `DELETE /_pit` and `POST /_search` with a point in time,
 * `search_after` and the `_shard_doc` sort, with the `x-elastic-product: Elasticsearch` header and the real
 * error bodies (401 security_exception, 403, 404 index_not_found_exception, 400 parsing_exception).
 * Documents are served in insertion order, `_shard_doc` being their position: one shard.
 * @example const es = await startElasticsearchServer(); es.addIndex('payments', { properties: { amount: { type: 'scaled_float', scaling_factor: 100 } } }, [{ _id: 'P1', source: '{"amount": 10.50}' }])
 */
export async function startElasticsearchServer (options: ElasticsearchServerOptions = {}): Promise<ElasticsearchServer> {
  const indices = new Map<string, StandInIndex>()
  const pits = new Map<string, Pit>()
  const requests: string[] = []
  let failAfter: number | undefined
  let pagesServed = 0

  const search = (body: Search, res: ServerResponse): void => {
    const pit = pits.get(body.pit?.id ?? '')
    if (pit === undefined) return send(res, 404, errorBody('search_context_missing_exception', 'No search context found for id [' + String(body.pit?.id) + ']'))
    if (failAfter !== undefined && pagesServed >= failAfter) {
      failAfter = undefined
      return send(res, 500, errorBody('search_phase_execution_exception', 'all shards failed: node left the cluster'))
    }
    let selected: Selection
    try {
      selected = selection(pit, body.query)
    } catch (error) {
      return send(res, 400, errorBody('parsing_exception', (error as Error).message))
    }
    const after = Number(body.search_after?.[0] ?? -1)
    const start = firstAfter(selected.positions, after)
    const end = Math.min(selected.documents.length, start + (body.size ?? 10))
    pagesServed++
    const total = body.track_total_hits === false ? '' : `"total":{"value":${selected.documents.length},"relation":"eq"},`
    const parts: Buffer[] = [Buffer.from(`{"pit_id":${JSON.stringify(body.pit?.id)},"took":1,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},"hits":{${total}"max_score":null,"hits":[`)]
    for (let i = start; i < end; i++) {
      if (i > start) parts.push(COMMA)
      parts.push(hitHead(pit.index, selected.documents[i]!), Buffer.from(`,"sort":[${selected.positions[i]!}]}`))
    }
    parts.push(Buffer.from(']}}'))
    sendBytes(res, 200, Buffer.concat(parts))
  }

  const route = (req: IncomingMessage, res: ServerResponse, text: string): void => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    requests.push(`${req.method ?? 'GET'} ${url.pathname}`)
    if (!authorised(req, options)) {
      res.setHeader('www-authenticate', 'Basic realm="security", charset="UTF-8", ApiKey')
      return send(res, 401, errorBody('security_exception', 'unable to authenticate user [kalla] for REST request [' + url.pathname + ']'))
    }
    const body = text === '' ? {} : JSON.parse(text) as Record<string, unknown>
    const parts = url.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent)
    if (req.method === 'DELETE' && parts[0] === '_pit') {
      const freed = pits.delete(String(body.id)) ? 1 : 0
      return send(res, freed === 1 ? 200 : 404, { succeeded: true, num_freed: freed })
    }
    if (req.method === 'POST' && parts[0] === '_search') return search(body as Search, res)
    const [name, action] = parts
    if (name === undefined || (action !== '_mapping' && action !== '_pit')) return send(res, 400, errorBody('illegal_argument_exception', `request [${url.pathname}] is not supported by the stand-in`))
    if (options.forbidden?.includes(name) === true) {
      return send(res, 403, errorBody('security_exception', `action [indices:data/read/search] is unauthorized for user [kalla] with effective roles [reader] on indices [${name}], this action is granted by the index privileges [read,all]`))
    }
    const index = indices.get(name)
    if (index === undefined) return send(res, 404, { ...errorBody('index_not_found_exception', `no such index [${name}]`), status: 404 })
    if (action === '_mapping') return send(res, 200, { [name]: { mappings: index.mappings } })
    const id = Buffer.from(randomUUID()).toString('base64')
    pits.set(id, { index: name, documents: [...index.documents], selections: new Map() })
    send(res, 200, { id, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 } })
  }

  const server = createServer((req, res) => {
    res.setHeader('x-elastic-product', 'Elasticsearch')
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      try {
        route(req, res, Buffer.concat(chunks).toString('utf8'))
      } catch (error) {
        send(res, 500, errorBody('exception', (error as Error).message))
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    indices,
    requests,
    addIndex: (name, mappings, documents) => {
      indices.set(name, { mappings, documents: documents.map((d) => ({ _id: d._id, source: typeof d.source === 'string' ? d.source : JSON.stringify(d.source) })) })
    },
    openPits: () => [...pits.keys()],
    failSearchAfter: (pages) => { failAfter = pages; pagesServed = 0 },
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => { resolve() }))
    }
  }
}

function selection (pit: Pit, query: Query | undefined): Selection {
  const key = JSON.stringify(query ?? null)
  const known = pit.selections.get(key)
  if (known !== undefined) return known
  const documents: StandInIndex['documents'] = []
  const positions: number[] = []
  pit.documents.forEach((d, i) => {
    if (matches(query, d.source)) {
      documents.push(d)
      positions.push(i)
    }
  })
  const made = { documents, positions }
  pit.selections.set(key, made)
  return made
}

// The first index whose position is greater than `after` (positions ascend).
function firstAfter (positions: number[], after: number): number {
  let low = 0
  let high = positions.length
  while (low < high) {
    const mid = (low + high) >> 1
    if (positions[mid]! > after) high = mid
    else low = mid + 1
  }
  return low
}

function authorised (req: IncomingMessage, options: ElasticsearchServerOptions): boolean {
  if (options.users === undefined && options.apiKeys === undefined) return true
  const header = req.headers.authorization ?? ''
  if (header.startsWith('ApiKey ')) return options.apiKeys?.includes(header.slice(7)) === true
  if (!header.startsWith('Basic ')) return false
  const [user = '', ...rest] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':')
  return options.users?.[user] !== undefined && options.users[user] === rest.join(':')
}

function errorBody (type: string, reason: string): { error: Record<string, unknown>, status: number } {
  return { error: { root_cause: [{ type, reason }], type, reason }, status: 0 }
}

function send (res: ServerResponse, status: number, body: Record<string, unknown>): void {
  sendText(res, status, JSON.stringify('status' in body ? { ...body, status } : body))
}

function sendText (res: ServerResponse, status: number, text: string): void {
  sendBytes(res, status, Buffer.from(text))
}

function sendBytes (res: ServerResponse, status: number, bytes: Buffer): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length })
  res.end(bytes)
}

const COMMA = Buffer.from(',')
const heads = new WeakMap<object, Buffer>()

// A hit up to its sort value, encoded once per document: serving a million documents is then mostly copying.
function hitHead (index: string, document: { _id: string, source: string }): Buffer {
  let head = heads.get(document)
  if (head === undefined) {
    head = Buffer.from(`{"_index":${JSON.stringify(index)},"_id":${JSON.stringify(document._id)},"_score":null,"_source":${document.source}`)
    heads.set(document, head)
  }
  return head
}
