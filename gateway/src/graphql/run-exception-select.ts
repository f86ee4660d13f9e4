import { MAX_RESULT_KEYS, type ResultKeySet } from '@kalla/engine'
import { GetExceptions, ListExceptionKeys, MAX_EXCEPTION_KEYS_PAGE, type ExceptionRecord, type ExceptionState, type RecordKey, type Side } from '@kalla/proto'
import { ask, type GatewayDeps } from '../deps.ts'
import { GatewayErrors } from '../errors.ts'
import { readPage, type GqlResultPage } from '../results/read-page.ts'
import { keyText } from './exception-mapping.ts'

/** Run.exceptions' filter: a text in the first key column, a state, an assignee. */
export interface RunExceptionQuery { search?: string | null, state?: ExceptionState | null, assignee?: string | null }

export interface SelectedPage { totalCount: number, offset: number, rows: Array<Record<string, unknown>>, keys: string[][], states: ExceptionRecord[] }

interface Target { runId: string, recipeId: string, side: Side, keyColumns: string[] }

const SCAN_PAGE = 1000
const SEARCH_MAX = 200
// An assignee is at most this long (ExceptionChange), so a longer one names nobody.
const ASSIGNEE_MAX = 200

/**
 * A page of a run's unmatched records of one side with their states. A search narrows the result file
 * itself (a `contains` filter on the first key column). A state or assignee is known only to the runs
 * service: it lists the keys of the records that pass (for OPEN, of those that do not: a record without a
 * stored state is open), and the file is narrowed to that key set, so totals and offsets stay exact.
 */
export async function selectRunExceptions (deps: GatewayDeps, target: Target, page: { limit: number, offset: number }, query: RunExceptionQuery = {}): Promise<SelectedPage> {
  const kind = target.side === 'left' ? 'unmatched_left' : 'unmatched_right'
  if ((query.search ?? '').length > SEARCH_MAX) throw GatewayErrors.GATEWAY_RESULT_FILTER_INVALID(`A key search is at most ${SEARCH_MAX} characters; shorten it to a part of the key.`)
  const search = query.search == null || query.search === '' ? [] : [{ column: target.keyColumns[0]!, contains: query.search }]
  const read = async (range: { limit: number, offset: number }, keys?: ResultKeySet) => {
    const found = await readPage(deps, target.runId, kind, range, { filters: search, ...(keys === undefined ? {} : { keys }) })
    return { found, ...await withStates(deps, target, found) }
  }
  const filtered = query.state != null || query.assignee != null
  const keys = filtered ? await storedKeySet(deps, target, query) : undefined
  if (filtered && keys === undefined) return await scanStates(read, page, query)
  const { found, keys: pageKeys, states } = await read(page, keys)
  return { totalCount: found.totalCount, offset: found.offset, rows: found.rows, keys: pageKeys, states }
}

/**
 * The key set a state or assignee filter narrows the file to, read from the runs service a page at a time;
 * undefined when it names more records than one query may hold.
 */
async function storedKeySet (deps: GatewayDeps, target: Target, query: RunExceptionQuery): Promise<ResultKeySet | undefined> {
  const exclude = query.state === 'open' && query.assignee == null
  if (query.assignee != null && query.assignee.length > ASSIGNEE_MAX) return { columns: target.keyColumns, keys: [] }
  const filter = exclude ? { not_state: 'open' as const } : { ...(query.state == null ? {} : { state: query.state }), ...(query.assignee == null ? {} : { assignee: query.assignee }) }
  const keys: RecordKey[] = []
  for (let after: RecordKey | undefined; ;) {
    const listed = await ask(deps, ListExceptionKeys, { recipe_id: target.recipeId, side: target.side, ...filter, ...(after === undefined ? {} : { after }), limit: MAX_EXCEPTION_KEYS_PAGE })
    keys.push(...listed.keys)
    if (keys.length > MAX_RESULT_KEYS) return undefined
    if (!listed.more || listed.keys.length === 0) return { columns: target.keyColumns, keys, exclude }
    after = listed.keys.at(-1)
  }
}

type Read = (range: { limit: number, offset: number }) => Promise<{ found: GqlResultPage, keys: string[][], states: ExceptionRecord[] }>

/** The fallback for a key set too large to hold: the file read in pages of 1,000, every record's state asked. */
async function scanStates (read: Read, page: { limit: number, offset: number }, query: RunExceptionQuery): Promise<SelectedPage> {
  const passes = (e: ExceptionRecord): boolean => (query.state == null || e.state === query.state) && (query.assignee == null || e.assignee === query.assignee)
  const out: SelectedPage = { totalCount: 0, offset: page.offset, rows: [], keys: [], states: [] }
  for (let offset = 0; ; offset += SCAN_PAGE) {
    const { found, keys, states } = await read({ limit: SCAN_PAGE, offset })
    states.forEach((state, i) => {
      if (!passes(state)) return
      if (out.totalCount >= page.offset && out.rows.length < page.limit) {
        out.rows.push(found.rows[i]!)
        out.keys.push(keys[i]!)
        out.states.push(state)
      }
      out.totalCount++
    })
    if (offset + SCAN_PAGE >= found.totalCount) return out
  }
}

async function withStates (deps: GatewayDeps, target: { recipeId: string, side: Side, keyColumns: string[] }, page: GqlResultPage): Promise<{ keys: string[][], states: ExceptionRecord[] }> {
  const keys = page.rows.map((row) => target.keyColumns.map((k) => keyText(row, k)))
  if (keys.length === 0) return { keys, states: [] }
  const { exceptions } = await ask(deps, GetExceptions, { recipe_id: target.recipeId, records: keys.map((key) => ({ side: target.side, key })) })
  return { keys, states: exceptions }
}
