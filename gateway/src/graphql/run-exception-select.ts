import { GetExceptions, type ExceptionRecord, type ExceptionState, type Side } from '@kalla/proto'
import { ask, type GatewayDeps } from '../deps.ts'
import { GatewayErrors } from '../errors.ts'
import { readPage, type GqlResultPage } from '../results/read-page.ts'
import { keyText } from './exception-mapping.ts'

/** Run.exceptions' filter: a text in the first key column, a state, an assignee. */
export interface RunExceptionQuery { search?: string | null, state?: ExceptionState | null, assignee?: string | null }

export interface SelectedPage { totalCount: number, offset: number, rows: Array<Record<string, unknown>>, keys: string[][], states: ExceptionRecord[] }

const SCAN_PAGE = 1000
const SEARCH_MAX = 200

/**
 * A page of a run's unmatched records of one side with their states. A search narrows the result file
 * itself (a `contains` filter on the first key column); a state or assignee is known only to the runs
 * service, so the file is then read in pages of 1,000 and every record's state asked, keeping those that pass.
 */
export async function selectRunExceptions (deps: GatewayDeps, target: { runId: string, recipeId: string, side: Side, keyColumns: string[] }, page: { limit: number, offset: number }, query: RunExceptionQuery = {}): Promise<SelectedPage> {
  const kind = target.side === 'left' ? 'unmatched_left' : 'unmatched_right'
  if ((query.search ?? '').length > SEARCH_MAX) throw GatewayErrors.GATEWAY_RESULT_FILTER_INVALID(`A key search is at most ${SEARCH_MAX} characters; shorten it to a part of the key.`)
  const search = query.search == null || query.search === '' ? [] : [{ column: target.keyColumns[0]!, contains: query.search }]
  const read = async (range: { limit: number, offset: number }) => {
    const found = await readPage(deps, target.runId, kind, range, { filters: search })
    return { found, ...await withStates(deps, target, found) }
  }
  if (query.state == null && query.assignee == null) {
    const { found, keys, states } = await read(page)
    return { totalCount: found.totalCount, offset: found.offset, rows: found.rows, keys, states }
  }
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
