import { createWriteStream, type WriteStream } from 'node:fs'
import { once } from 'node:events'
import { rm } from 'node:fs/promises'
import type { Client } from '@elastic/elasticsearch'
import type { Readable } from 'node:stream'
import { numbersAsText } from './numbers-as-text.ts'
import type { ElasticsearchSource } from './uri.ts'

const KEEP_ALIVE = '2m'
const NEWLINE = Buffer.from('\n')

/**
 * The longest line the pages file holds, which DuckDB's JSON reader must be told (it allocates twice this
 * per thread). A page longer than this is written one document per line instead.
 */
export const MAX_LINE_BYTES = 32 << 20

/** How a read goes: where the pages go, how many documents at most, and who hears about progress. */
export interface ReadPlan {
  path: string
  sampleRows?: number
  intervalMs: number
  signal?: AbortSignal
  /** Documents read so far of the total the point in time holds. */
  report: (read: number, total: number) => void
}

interface Page { pit_id?: string, hits?: { total?: { value?: string | number }, hits?: Hit[] } }
interface Hit { sort?: unknown[] }

/**
 * Reads every document the query selects in one point in time, page after page with search_after on
 * _shard_doc, so nothing is missed or read twice while the index changes. Each page's response is written
 * as one line of `path`, its numbers turned into strings of their exact text; only one page is ever held.
 * The point in time is closed at the end and on failure; a failed read leaves no file behind.
 */
export async function readDocuments (client: Client, source: ElasticsearchSource, plan: ReadPlan): Promise<{ documents: number, total: number }> {
  const options = plan.signal === undefined ? {} : { signal: plan.signal }
  const opened = await client.openPointInTime({ index: source.index, keep_alive: KEEP_ALIVE }, options)
  let pit = opened.id
  const out = createWriteStream(plan.path)
  let failed: Error | undefined
  out.on('error', (error) => { failed = error })
  let documents = 0
  let total = 0
  const timer = setInterval(() => { plan.report(documents, total) }, plan.intervalMs)
  try {
    let after: unknown[] | undefined
    for (;;) {
      const size = Math.min(source.pageSize, (plan.sampleRows ?? Infinity) - documents)
      if (size <= 0) break
      const body = { pit: { id: pit, keep_alive: KEEP_ALIVE }, size, sort: [{ _shard_doc: 'asc' }], query: source.query, track_total_hits: after === undefined, ...(after === undefined ? {} : { search_after: after }) }
      const { text, page, last } = await searchPage(client, body, options, after === undefined)
      if (after === undefined) total = Math.min(Number(page.hits?.total?.value ?? 0), plan.sampleRows ?? Infinity)
      if (page.pit_id !== undefined) pit = page.pit_id
      if (page.count === 0) break
      await write(out, text.length <= MAX_LINE_BYTES ? text : oneLinePerHit(text))
      if (failed !== undefined) throw failed
      documents += page.count
      plan.report(documents, total)
      after = last?.sort?.map(sortValue)
      if (after === undefined) throw new Error('the cluster answered hits without sort values')
      if (page.count < size) break
    }
    out.end()
    await once(out, 'finish')
    return { documents, total }
  } catch (error) {
    out.destroy()
    await rm(plan.path, { force: true })
    throw error
  } finally {
    clearInterval(timer)
    await client.closePointInTime({ id: pit }).catch(() => {})
  }
}

// The page comes back as bytes so numbers keep their text; the client's own parse would make them doubles.
// Only the first page is parsed whole (for its total); later ones only where their hits are and the last hit.
async function searchPage (client: Client, body: Record<string, unknown>, options: { signal?: AbortSignal }, first: boolean): Promise<{ text: Buffer, page: Page & { count: number }, last?: Hit }> {
  const result = await client.search(body, { ...options, asStream: true, meta: true })
  const raw = await collect(result.body as unknown as Readable)
  const status = result.statusCode ?? 200
  if (status >= 400) {
    // Shaped like the client's own refusal, for elasticsearchError.
    throw Object.assign(Object.create(null) as object, { statusCode: status, body: parseOr(raw.toString('utf8')) })
  }
  const rewritten = numbersAsText(raw)
  const text = rewritten.bytes
  const head = rewritten.firstHit === -1 ? text : text.subarray(0, rewritten.firstHit)
  const page: Page = first ? JSON.parse(text.toString('utf8')) as Page : { ...pitOf(head) }
  const last = rewritten.hits === 0 ? undefined : JSON.parse(text.subarray(rewritten.lastHit.start, rewritten.lastHit.end).toString('utf8')) as Hit
  return { text, page: { ...page, count: rewritten.hits }, ...(last === undefined ? {} : { last }) }
}

// The pit_id a response carries before its hits (Elasticsearch may hand out a new one with any page).
function pitOf (head: Buffer): { pit_id?: string } {
  const match = /"pit_id":"([^"\\]+)"/.exec(head.toString('utf8'))
  return match === null ? {} : { pit_id: match[1]! }
}

function parseOr (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return { error: text }
  }
}

async function collect (stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

// A page too long for one line is written a hit a line, each wrapped as a page of one; numbers are strings
// by now, so serialising the parsed hits again keeps every digit.
function oneLinePerHit (text: Buffer): Buffer {
  const hits = (JSON.parse(text.toString('utf8')) as Page).hits?.hits ?? []
  return Buffer.from(hits.map((hit) => JSON.stringify({ hits: { hits: [hit] } })).join('\n'))
}

async function write (out: WriteStream, text: Buffer): Promise<void> {
  const flushed = out.write(text)
  out.write(NEWLINE)
  if (!flushed) await once(out, 'drain')
}

// Sort values came back as strings of their text; _shard_doc is a long that search_after wants as a number.
function sortValue (value: unknown): unknown {
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) return value
  const number = Number(value)
  return Number.isSafeInteger(number) ? number : value
}
