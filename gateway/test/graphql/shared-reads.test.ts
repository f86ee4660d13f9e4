import t from 'tap'
import { GetRun, ListRuns } from '@kalla/proto'
import { CodedError } from '@kalla/service'
import { graphql, graphqlOk } from '@kalla/testing'
import { sharedReads } from '../../src/graphql/shared-reads.ts'
import { completed, run } from '../fixtures.ts'
import { startGateway } from '../harness.ts'

t.test('reads of one key asked for in the same turn share one piece of work; a later turn starts another', async (t) => {
  const reads = sharedReads()
  let calls = 0
  const work = async (): Promise<number> => ++calls
  const first = await Promise.all(Array.from({ length: 20 }, async () => await reads.share('run a', work)))
  t.same(first, Array(20).fill(1), 'twenty callers, one answer')
  t.equal(calls, 1)
  t.equal(await reads.share('run a', work), 2, 'a caller after that turn gets work of its own')
})

t.test('work starts only after the turn in which it was asked for, so no caller gets an answer older than its question', async (t) => {
  const reads = sharedReads()
  let state = 'before'
  const asked = reads.share('k', async () => state)
  state = 'after'
  t.equal(await asked, 'after')
})

t.test('different keys get their own work, and a failure reaches every caller of its key only', async (t) => {
  const reads = sharedReads()
  const work = (key: string) => async (): Promise<string> => { if (key === 'bad') throw new Error('no such thing'); return key }
  const results = await Promise.allSettled(['a', 'bad', 'b', 'bad', 'a'].map(async (key) => await reads.share(key, work(key))))
  t.same(results.map((r) => r.status === 'fulfilled' ? r.value : (r.reason as Error).message), ['a', 'no such thing', 'b', 'no such thing', 'a'])
})

// Through the gateway: one GraphQL request with many aliased fields runs their resolvers in one turn.
const { bus, url } = await startGateway(t)
const runs = new Map([completed('run-1', 'rec-a'), run('run-2', 'rec-b', 'matching', { stage: 'matching', progress: 0.5 })].map((r) => [r.run_id, r]))
const asked: string[] = []
let hold: Promise<void> | undefined
await bus.serve(GetRun, async ({ run_id: runId }) => {
  asked.push(runId)
  await hold
  if (runId === 'broken') throw new CodedError('RUNS_UNAVAILABLE', 'The runs database is down.', { statusCode: 503 })
  const found = runs.get(runId)
  if (found === undefined) throw new CodedError('RUNS_RUN_NOT_FOUND', `There is no run "${runId}".`, { statusCode: 404 })
  return found
}, { queue: 'runs' })
let listed = 0
await bus.serve(ListRuns, ({ status }) => { listed++; return { runs: [...runs.values()].filter((r) => status === undefined || r.status === status) } }, { queue: 'runs' })

const aliases = (ids: string[]): string => `{ ${ids.map((id, i) => `r${i}: run(runId: "${id}") { runId status progress }`).join(' ')} }`

t.test('ten run(runId) fields of one id at once cost one GetRun, and each answers the run', async (t) => {
  asked.length = 0
  const data = await graphqlOk<Record<string, { runId: string, status: string }>>(url, aliases(Array(10).fill('run-2')))
  t.equal(Object.keys(data).length, 10)
  t.ok(Object.values(data).every((r) => r.runId === 'run-2' && r.status === 'MATCHING'))
  t.same(asked, ['run-2'])
})

t.test('run(runId) fields of different ids at once each get their own run', async (t) => {
  asked.length = 0
  const data = await graphqlOk<Record<string, { runId: string, status: string } | null>>(url, aliases(['run-1', 'run-2', 'run-1', 'missing', 'run-2']))
  t.same(Object.values(data).map((r) => r?.status ?? null), ['COMPLETED', 'MATCHING', 'COMPLETED', null, 'MATCHING'])
  t.same([...asked].sort(), ['missing', 'run-1', 'run-2'], 'one GetRun per distinct id')
})

t.test('a failed GetRun fails every field that shared it, each with its code', async (t) => {
  asked.length = 0
  const response = await graphql(url, aliases(['broken', 'run-1', 'broken', 'broken']))
  t.same(asked.sort(), ['broken', 'run-1'])
  t.same((response.errors ?? []).map((e) => [e.path?.[0], e.extensions?.code]), [['r0', 'RUNS_UNAVAILABLE'], ['r2', 'RUNS_UNAVAILABLE'], ['r3', 'RUNS_UNAVAILABLE']])
  t.equal((response.data as Record<string, { runId: string } | null>).r1?.runId, 'run-1', 'the other id still answers')
})

t.test('a query arriving while a GetRun of its run is on its way asks again, and sees the newer state', async (t) => {
  asked.length = 0
  let release = (): void => {}
  hold = new Promise((resolve) => { release = resolve })
  const first = graphqlOk<{ r0: { progress: number } }>(url, aliases(['run-2']))
  while (asked.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
  runs.set('run-2', run('run-2', 'rec-b', 'matching', { stage: 'matching', progress: 0.75, updated_at: '2026-11-27T08:00:09.000Z' }))
  const second = graphqlOk<{ r0: { progress: number } }>(url, aliases(['run-2']))
  while (asked.length < 2) await new Promise((resolve) => setTimeout(resolve, 5))
  hold = undefined
  release()
  t.equal((await second).r0.progress, 0.75)
  await first
  t.same(asked, ['run-2', 'run-2'])
})

t.test('identical runs pages asked for at once cost one ListRuns; another filter is another request', async (t) => {
  listed = 0
  const data = await graphqlOk<Record<string, Array<{ runId: string }>>>(url, '{ a: runs { runId } b: runs { runId } c: runs(status: COMPLETED) { runId } }')
  t.equal(data.a?.length, 2)
  t.same(data.b, data.a)
  t.same(data.c?.map((r) => r.runId), ['run-1'])
  t.equal(listed, 2)
})
