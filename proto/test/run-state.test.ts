import t from 'tap'
import { checker, evolveRun, failureStatus, isLaterRun, newRun, Run, type RunEvent } from '../src/index.ts'

const T0 = '2026-12-01T10:00:00.000Z'
const at = (ms: number): string => new Date(Date.parse(T0) + ms).toISOString()
const submitted = newRun({ run_id: 'run-1', recipe_id: 'r1', at: T0 })
const validRun = checker(Run)

type Stage = 'staging' | 'matching' | 'writing_results'
const progress = (ms: number, stage: Stage = 'staging', fraction = 0.5, extra: { source?: string, matched_count?: number } = {}): RunEvent =>
  ({ type: 'progress', run_id: 'run-1', stage, progress: fraction, matched_count: extra.matched_count ?? 0, total_left: 10, total_right: 12, ...(extra.source === undefined ? {} : { source: extra.source }), at: at(ms) })
const outputs = { matched: 'results/run-1/matched.parquet', unmatched_left: 'results/run-1/unmatched_left.parquet', unmatched_right: 'results/run-1/unmatched_right.parquet', summary: 'results/run-1/summary.json' }
const counts = { matched_count: 7, matched_left: 6, matched_right: 7, unmatched_left_count: 4, unmatched_right_count: 5, total_left: 10, total_right: 12 }
const timings = { staging: 1, matching: 2, writing_results: 3, total: 6 }
const completed = (ms: number): RunEvent => ({ type: 'completed', run_id: 'run-1', ...counts, outputs, timings_ms: timings, at: at(ms) })
const failed = (ms: number, code = 'ENGINE_OUT_OF_MEMORY'): RunEvent => ({ type: 'failed', run_id: 'run-1', code, message: 'It broke.', stage: 'matching', at: at(ms) })
const cancelRequested = (ms: number): RunEvent => ({ type: 'cancel_requested', run_id: 'run-1', at: at(ms) })

/** Applies events in order, keeping the run unchanged where evolveRun says nothing changed. */
function replay (events: RunEvent[], start: Run = submitted): Run {
  return events.reduce((run, event) => evolveRun(run, event) ?? run, start)
}

t.test('a new run is submitted, with created_at and updated_at set to its creation time', async (t) => {
  t.same(submitted, { run_id: 'run-1', recipe_id: 'r1', status: 'submitted', created_at: T0, updated_at: T0 })
  t.ok(validRun.check(submitted))
})

t.test('progress moves a live run forward: status, stage, source, counts, started_at and updated_at', async (t) => {
  const staging = evolveRun(submitted, progress(100, 'staging', 0.25, { source: 'payments' }))
  t.same(staging, { ...submitted, status: 'staging', stage: 'staging', source: 'payments', progress: 0.25, matched_count: 0, total_left: 10, total_right: 12, started_at: at(100), updated_at: at(100) })
  const matching = evolveRun(staging as Run, progress(200, 'matching', 0.5, { matched_count: 3 }))
  t.equal(matching?.status, 'matching')
  t.equal(matching?.matched_count, 3)
  t.equal(matching?.source, undefined, 'a progress without a source clears the source of the previous stage')
  t.equal(matching?.started_at, at(100), 'started_at stays the time of the first progress')
  t.equal(matching?.updated_at, at(200))
  t.ok(validRun.check(matching))
})

t.test('the input run is never changed', async (t) => {
  const before = structuredClone(submitted)
  evolveRun(submitted, progress(100))
  evolveRun(submitted, completed(100))
  evolveRun(submitted, failed(100))
  t.same(submitted, before)
})

t.test('progress older than the run\'s last change is ignored', async (t) => {
  const matching = replay([progress(200, 'matching', 0.5)])
  t.equal(evolveRun(matching, progress(100, 'staging', 0.9)), undefined)
  t.equal(replay([progress(200, 'matching', 0.5), progress(100, 'staging', 0.9)]).status, 'matching', 'a late progress does not move the run back')
})

t.test('a later progress that says nothing new still counts: it shows the run is alive', async (t) => {
  const first = replay([progress(100, 'matching', 0.5)])
  const again = evolveRun(first, progress(60_000, 'matching', 0.5))
  t.equal(again?.updated_at, at(60_000), 'updated_at moves, which the stall check reads')
  t.same({ ...again, updated_at: first.updated_at }, first, 'nothing else changes')
})

t.test('a duplicate event changes nothing', async (t) => {
  const staging = replay([progress(100)])
  t.equal(evolveRun(staging, progress(100)), undefined, 'the same progress again')
  const done = replay([progress(100), completed(200)])
  t.equal(evolveRun(done, completed(200)), undefined, 'the same completion again')
})

t.test('a different progress at the same time as the last change is kept, 1 ms later', async (t) => {
  const staging = replay([progress(100, 'staging', 1)])
  const matching = evolveRun(staging, progress(100, 'matching', 0))
  t.equal(matching?.status, 'matching')
  t.equal(matching?.updated_at, at(101), 'states stay strictly ordered by updated_at')
})

t.test('completion ends a live run with every count and the outputs', async (t) => {
  const done = evolveRun(replay([progress(100, 'writing_results', 0.5)]), completed(300))
  t.same(done, {
    ...submitted,
    status: 'completed',
    stage: 'writing_results',
    progress: 1,
    matched_count: 7,
    matched_left: 6,
    matched_right: 7,
    unmatched_left_count: 4,
    unmatched_right_count: 5,
    total_left: 10,
    total_right: 12,
    outputs,
    started_at: at(100),
    finished_at: at(300),
    updated_at: at(300)
  })
  t.ok(validRun.check(done))
  t.equal(evolveRun(submitted, completed(300))?.started_at, at(300), 'a run that completes without any progress has started when it ended')
})

t.test('an end told at the same moment as, or before, the last progress still ends the run, after it', async (t) => {
  const writing = replay([progress(500, 'writing_results', 1)])
  const done = evolveRun(writing, completed(500))
  t.equal(done?.status, 'completed')
  t.equal(done?.finished_at, at(500))
  t.equal(done?.updated_at, at(501))
  const early = evolveRun(writing, failed(400))
  t.equal(early?.status, 'failed', 'a failure whose clock is behind still ends the run')
  t.equal(early?.updated_at, at(501))
  t.ok(isLaterRun(early as Run, writing))
})

t.test('a failure ends a live run as failed, with its code, message and stage', async (t) => {
  const broken = evolveRun(replay([progress(100, 'matching')]), failed(200))
  t.same([broken?.status, broken?.error, broken?.finished_at], ['failed', { code: 'ENGINE_OUT_OF_MEMORY', message: 'It broke.', stage: 'matching' }, at(200)])
  t.equal(broken?.stage, 'matching', 'the stage it failed in stays')
  t.ok(validRun.check(broken))
})

t.test('a failure coded as a cancellation ends the run as cancelled', async (t) => {
  for (const code of ['ENGINE_CANCELLED', 'RUNS_CANCELLED']) {
    const stopped = evolveRun(replay([progress(100)]), failed(200, code))
    t.equal(stopped?.status, 'cancelled', code)
    t.equal(stopped?.error?.code, code)
  }
  t.equal(failureStatus('RUNS_STALLED'), 'failed')
  t.equal(failureStatus('ENGINE_CANCELLED'), 'cancelled')
})

t.test('a cancel request ends a live run as cancelled with RUNS_CANCELLED', async (t) => {
  const cancelled = evolveRun(replay([progress(100, 'matching')]), cancelRequested(200))
  t.same([cancelled?.status, cancelled?.error, cancelled?.finished_at], ['cancelled', { code: 'RUNS_CANCELLED', message: 'The run was cancelled on request.', stage: 'matching' }, at(200)])
  t.equal(evolveRun(submitted, cancelRequested(50))?.error?.stage, 'dispatch', 'a run cancelled before it started was cancelled at dispatch')
  t.ok(validRun.check(cancelled))
})

t.test('nothing changes a finished run', async (t) => {
  const ends = { completed: replay([completed(100)]), failed: replay([failed(100)]), cancelled: replay([cancelRequested(100)]) }
  for (const [status, run] of Object.entries(ends)) {
    t.equal(run.status, status)
    for (const event of [progress(1000), completed(1000), failed(1000), failed(1000, 'ENGINE_CANCELLED'), cancelRequested(1000)]) {
      t.equal(evolveRun(run, event), undefined, `${event.type} after ${status}`)
    }
  }
})

t.test('an event for another run changes nothing', async (t) => {
  t.equal(evolveRun(submitted, { ...progress(100), run_id: 'run-2' } as RunEvent), undefined)
})

t.test('a redelivered or reordered stream ends in the same state as the ordered one', async (t) => {
  const ordered = [progress(100, 'staging', 0.5, { source: 'invoices' }), progress(200, 'staging', 0.5, { source: 'payments' }), progress(300, 'matching', 0.2), progress(400, 'writing_results', 0.5), completed(500)]
  const expected = replay(ordered)
  const shuffled = [ordered[1], ordered[0], ordered[2], ordered[2], ordered[4], ordered[3], ordered[4]].filter((e): e is RunEvent => e !== undefined)
  const mixed = replay(shuffled)
  t.same([mixed.status, mixed.matched_count, mixed.outputs, mixed.finished_at], [expected.status, expected.matched_count, expected.outputs, expected.finished_at])
})

t.test('every state of a run is later than the one before it', async (t) => {
  const events = [progress(100), progress(100, 'matching', 0), progress(100, 'matching', 0.5), progress(90, 'writing_results'), completed(100)]
  let run = submitted
  const states: Run[] = [run]
  for (const event of events) {
    const next = evolveRun(run, event)
    if (next === undefined) continue
    t.ok(isLaterRun(next, run), `${event.type} at ${event.at}: ${next.updated_at} > ${run.updated_at}`)
    states.push(next)
    run = next
  }
  t.equal(new Set(states.map((s) => s.updated_at)).size, states.length, 'run_id + updated_at names each state once')
  t.equal(run.status, 'completed')
  t.ok(isLaterRun(submitted, undefined), 'any state is later than none')
  t.notOk(isLaterRun(submitted, submitted), 'a state is not later than itself')
})
