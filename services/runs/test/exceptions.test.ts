import t from 'tap'
import { BusError } from '@kalla/bus'
import {
  GetExceptions, ListDecisions, RecordDecision, ReviewDecision, ReviewWriteOff,
  RevokeDecision, SetRecipeSettings, StartRun, UpdateExceptions
} from '@kalla/proto'
import { decisionsOf, startRunsService } from './harness.ts'

const ana = { name: 'ana', id: 'key-ana' }
const ben = { name: 'ben', id: 'key-ben' }

async function code (promise: Promise<unknown>): Promise<string | undefined> {
  try { await promise; return undefined } catch (error) { return error instanceof BusError ? error.code : String(error) }
}

const left = (id: string) => ({ side: 'left' as const, key: [id] })

t.test('a manual match is recorded once: a second group claiming one of its records is refused, even when both arrive at once', async (t) => {
  const { bus } = await startRunsService(t)
  const split = await bus.request(RecordDecision, { recipe_id: 'inv-pay', kind: 'manual_match', left: [['INV-1']], right: [['P-1'], ['P-2']], reason: 'split payment', actor: ana })
  t.equal(split.status, 'effective')
  t.same([split.left, split.right], [[['INV-1']], [['P-1'], ['P-2']]])
  t.equal(await code(bus.request(RecordDecision, { recipe_id: 'inv-pay', kind: 'manual_match', left: [['INV-9']], right: [['P-2']], reason: 'x', actor: ben })), 'RUNS_DECISION_CONFLICT')
  const racing = await Promise.allSettled([1, 2, 3, 4].map((i) => bus.request(RecordDecision, { recipe_id: 'inv-pay', kind: 'manual_match', left: [['INV-2']], right: [[`P-${10 + i}`]], reason: `try ${i}`, actor: ana })))
  t.equal(racing.filter((r) => r.status === 'fulfilled').length, 1, 'exactly one of four concurrent claims on INV-2 wins')
  t.equal(await code(bus.request(RecordDecision, { recipe_id: 'inv-pay', kind: 'manual_match', left: [['INV-3', 'extra']], right: [['P-3']], reason: 'x', actor: ana })), 'RUNS_KEY_INVALID')
  t.equal(await code(bus.request(RecordDecision, { recipe_id: 'nope', kind: 'manual_match', left: [['INV-3']], right: [['P-3']], reason: 'x', actor: ana })), 'RUNS_RECIPE_NOT_FOUND')
  const [state] = (await bus.request(GetExceptions, { recipe_id: 'inv-pay', records: [left('INV-1')] })).exceptions
  t.match(state, { state: 'resolved', resolution: 'matched_manually', updated_by: ana }, 'the matched records are resolved as matched manually')
})

t.test('concurrent changes to one record keep every one of them: assignee, state, due date and all comments', async (t) => {
  const { bus } = await startRunsService(t)
  const change = (c: Record<string, unknown>, actor = ana) => bus.request(UpdateExceptions, { recipe_id: 'inv-pay', records: [left('INV-7')], change: c, actor })
  await Promise.all([
    change({ assignee: 'carla' }),
    change({ state: 'investigating' }, ben),
    change({ due_date: '2026-12-31' }),
    ...[1, 2, 3, 4, 5, 6].map((i) => change({ comment: `note ${i}` }, i % 2 === 0 ? ana : ben))
  ])
  const [state] = (await bus.request(GetExceptions, { recipe_id: 'inv-pay', records: [left('INV-7')] })).exceptions
  t.match(state, { state: 'investigating', assignee: 'carla', due_date: '2026-12-31' })
  t.same(state?.comments.map((c) => c.body).sort(), ['note 1', 'note 2', 'note 3', 'note 4', 'note 5', 'note 6'])
  t.equal(await code(change({ state: 'resolved' })), 'RUNS_RESOLUTION_MISSING')
  t.equal(await code(change({})), 'RUNS_CHANGE_EMPTY')
})

t.test('a bulk change applies to every selected record at once', async (t) => {
  const { bus } = await startRunsService(t)
  const records = Array.from({ length: 2500 }, (_, i) => left(`INV-${i}`))
  const done = await bus.request(UpdateExceptions, { recipe_id: 'inv-pay', records, change: { resolution: 'timing', comment: 'expected next period' }, actor: ana })
  t.equal(done.updated, 2500)
  const some = (await bus.request(GetExceptions, { recipe_id: 'inv-pay', records: [left('INV-0'), left('INV-2499'), left('INV-9999')] })).exceptions
  t.same(some.map((e) => [e.state, e.resolution ?? null, e.comments.length]), [['resolved', 'timing', 1], ['resolved', 'timing', 1], ['open', null, 0]])
})

t.test('under four-eyes, manual matches and write-offs wait for a second person and only then reach the next job', async (t) => {
  const { bus, jobs, storage } = await startRunsService(t)
  await bus.request(SetRecipeSettings, { recipe_id: 'inv-pay', four_eyes: true, actor: ana })
  const match = await bus.request(RecordDecision, { recipe_id: 'inv-pay', kind: 'manual_match', left: [['INV-1'], ['INV-2']], right: [['P-1']], reason: 'batch payment', actor: ana })
  t.equal(match.status, 'pending')
  await bus.request(UpdateExceptions, { recipe_id: 'inv-pay', records: [left('INV-5')], change: { resolution: 'written_off', comment: 'below threshold' }, actor: ana })
  const unmatch = await bus.request(RecordDecision, { recipe_id: 'inv-pay', kind: 'unmatch', left: [['INV-3']], right: [['P-3']], reason: 'false positive', actor: ana })
  t.equal(unmatch.status, 'effective', 'an unmatch applies at once')

  await bus.request(StartRun, { recipe_id: 'inv-pay', files: [{ alias: 'payments', upload_id: 'u1' }] })
  t.equal(await code(bus.request(ReviewDecision, { decision_id: match.decision_id, approve: true, actor: ana })), 'RUNS_FOUR_EYES_SAME_PERSON')
  t.equal(await code(bus.request(ReviewWriteOff, { recipe_id: 'inv-pay', record: left('INV-5'), approve: true, actor: ana })), 'RUNS_FOUR_EYES_SAME_PERSON')
  t.equal((await bus.request(ReviewDecision, { decision_id: match.decision_id, approve: true, actor: ben })).status, 'effective')
  t.match(await bus.request(ReviewWriteOff, { recipe_id: 'inv-pay', record: left('INV-5'), approve: true, actor: ben }), { write_off_status: 'effective', resolution: 'written_off' })
  t.equal(await code(bus.request(ReviewDecision, { decision_id: match.decision_id, approve: true, actor: ben })), 'RUNS_DECISION_NOT_PENDING')
  await bus.request(StartRun, { recipe_id: 'inv-pay', files: [{ alias: 'payments', upload_id: 'u2' }] })

  await until(() => jobs.length >= 2)
  t.same(await decisionsOf(storage, jobs[0]), { manual_matches: [], unmatches: [{ decision_id: unmatch.decision_id, left: [['INV-3']], right: [['P-3']] }], write_offs: { left: [], right: [] } }, 'pending decisions are not applied')
  t.same(await decisionsOf(storage, jobs[1]), {
    manual_matches: [{ decision_id: match.decision_id, left: [['INV-1'], ['INV-2']], right: [['P-1']] }],
    unmatches: [{ decision_id: unmatch.decision_id, left: [['INV-3']], right: [['P-3']] }],
    write_offs: { left: [['INV-5']], right: [] }
  }, 'approved ones are, with keys only')
  t.notMatch(JSON.stringify(jobs[1]), /batch payment|false positive|ana|ben/, 'no reasons or names travel in the job')
  t.notOk('decisions' in (jobs[1] ?? {}), 'the decisions travel as a file, not inline in the message')
  t.notMatch(JSON.stringify(await decisionsOf(storage, jobs[1])), /batch payment|false positive|ana|ben/, 'nor in its decisions file')

  await bus.request(RevokeDecision, { decision_id: unmatch.decision_id, reason: 'it was right', actor: ben })
  t.same((await bus.request(ListDecisions, { recipe_id: 'inv-pay', status: 'revoked', limit: 10, offset: 0 })).decisions.map((d) => d.decision_id), [unmatch.decision_id])
})

async function until (probe: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!probe()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
