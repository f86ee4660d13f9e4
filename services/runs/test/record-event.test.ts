import { randomBytes } from 'node:crypto'
import t, { type Test } from 'tap'
import { sql } from 'kysely'
import { createMemoryBus, silentLogger } from '@kalla/bus'
import { migrateSchema, openDatabase } from '@kalla/db'
import { newRun, RunUpdates, STREAMS, type Run, type RunEvent } from '@kalla/proto'
import Fastify from 'fastify'
import { migrations } from '../src/db/migrations/index.ts'
import { findRun, insertRun, type RunsDb } from '../src/db/runs-repository.ts'
import { cancelRun } from '../src/domain/cancel-run.ts'
import type { RunsDeps } from '../src/domain/deps.ts'
import { recordEvent } from '../src/domain/record-event.ts'
import { sweepUnfinishedRuns } from '../src/domain/recover.ts'
import { unusedStorage } from './storage.ts'

const PG_URL = process.env.KALLA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const T0 = Date.now()
const at = (ms: number): string => new Date(T0 + ms).toISOString()
const job = { run_id: 'x', output_path: 'results/x', match_sql: 'SELECT 1', sources: [], primary_keys: { left: [], right: [] } } as never

/** The runs domain on its own schema and an in-process bus, with every published state collected. */
async function setup (t: Test, options: { pglite?: boolean } = {}): Promise<{ deps: RunsDeps, states: Run[], recordedWhenHeard: Array<[Run, Run | undefined]>, start: (runId: string) => Promise<Run> }> {
  const schema = `runs_record_${randomBytes(5).toString('hex')}`
  // Single mode keeps its state in an embedded PGlite: one connection shared by every query.
  const database = await openDatabase(options.pglite === true ? {} : { url: PG_URL })
  await migrateSchema(database.db, schema, migrations)
  const bus = createMemoryBus({ logger: silentLogger })
  await bus.ensureStreams(STREAMS)
  const deps: RunsDeps = { db: database.db.withSchema(schema) as RunsDb, bus, log: Fastify({ logger: false }).log, resultsPrefix: 'results', storage: unusedStorage }
  const states: Run[] = []
  // Reads the run the moment its state arrives: what a subscriber that reacts at once would find.
  const recordedWhenHeard: Array<[Run, Run | undefined]> = []
  await bus.subscribe(RunUpdates, { deliver: 'all' }, async (state) => {
    states.push(state)
    recordedWhenHeard.push([state, await findRun(deps.db, state.run_id)])
  })
  t.teardown(async () => {
    await bus.close()
    if (options.pglite !== true) await sql`DROP SCHEMA ${sql.id(schema)} CASCADE`.execute(database.db)
    await database.close()
  })
  const start = async (runId: string): Promise<Run> => await insertRun(deps.db, newRun({ run_id: runId, recipe_id: 'r1', at: at(0) }), job)
  return { deps, states, recordedWhenHeard, start }
}

function recordedBeforePublished (t: Test, heard: Array<[Run, Run | undefined]>): void {
  t.ok(heard.length > 0)
  for (const [state, recorded] of heard) {
    t.ok(recorded !== undefined && Date.parse(recorded.updated_at) >= Date.parse(state.updated_at), `${state.status} at ${state.updated_at} was recorded when it was heard`)
  }
}

const progress = (runId: string, ms: number, stage: 'staging' | 'matching' | 'writing_results' = 'staging', fraction = 0.5): RunEvent =>
  ({ type: 'progress', run_id: runId, stage, progress: fraction, matched_count: 0, total_left: 10, total_right: 12, at: at(ms) })
const completed = (runId: string, ms: number): RunEvent => ({
  type: 'completed',
  run_id: runId,
  ...{ matched_count: 7, matched_left: 6, matched_right: 7, unmatched_left_count: 4, unmatched_right_count: 5, total_left: 10, total_right: 12 },
  outputs: { matched: 'm', unmatched_left: 'l', unmatched_right: 'r', summary: 's' },
  timings_ms: { staging: 1, matching: 1, writing_results: 1, total: 3 },
  at: at(ms)
})
const settle = async (): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, 50)) }

t.test('each recorded change is published once, after it is recorded, in the order of updated_at', async (t) => {
  const { deps, states, recordedWhenHeard, start } = await setup(t)
  await start('run-a')
  for (const event of [progress('run-a', 100), progress('run-a', 100), progress('run-a', 50), progress('run-a', 200, 'matching'), completed('run-a', 300), completed('run-a', 300)]) {
    await recordEvent(deps, event)
  }
  await settle()
  t.same(states.map((s) => s.status), ['staging', 'matching', 'completed'], 'duplicates and stale progress publish nothing')
  t.same(states.map((s) => s.updated_at), [at(100), at(200), at(300)])
  const recorded = await findRun(deps.db, 'run-a')
  t.same([recorded?.status, recorded?.matched_count, recorded?.finished_at], ['completed', 7, at(300)])
  const { job: _job, ...shown } = recorded ?? { job: undefined }
  t.same(states.at(-1), shown, 'the last published state is the recorded run')
  recordedBeforePublished(t, recordedWhenHeard)
})

for (const pglite of [false, true]) {
  t.test(`concurrent recorders never lose a change and the end is final (${pglite ? 'PGlite' : 'Postgres'})`, async (t) => {
    const { deps, states, recordedWhenHeard, start } = await setup(t, { pglite })
    await start('run-b')
    const events = Array.from({ length: 30 }, (_, i) => progress('run-b', 10 * (i + 1), i < 15 ? 'staging' : 'matching', (i % 15) / 15))
    events.splice(20, 0, completed('run-b', 215))
    const results = await Promise.all(events.map(async (event) => await recordEvent(deps, event)))
    await settle()
    const recorded = await findRun(deps.db, 'run-b')
    t.equal(recorded?.status, 'completed', 'no progress written over the completion')
    t.equal(results.filter((r) => r?.status === 'completed').length, 1, 'the completion is recorded once')
    t.equal(states.filter((s) => s.status === 'completed').length, 1, 'and published once')
    const times = states.map((s) => Date.parse(s.updated_at))
    t.equal(new Set(times).size, times.length, 'every published state has its own updated_at')
    // Recorders publish after their commits, so two of them may publish out of order: subscribers keep the newest.
    const newest = states.reduce((a, b) => Date.parse(b.updated_at) > Date.parse(a.updated_at) ? b : a)
    t.equal(newest.status, 'completed', 'the newest published state is the recorded end')
    recordedBeforePublished(t, recordedWhenHeard)
  })
}

t.test('a redelivered event publishes the recorded state again, which the stream stores once', async (t) => {
  const { deps, states, start } = await setup(t)
  await start('run-c')
  await recordEvent(deps, progress('run-c', 100))
  t.equal(await recordEvent(deps, progress('run-c', 100), { republish: true }), undefined, 'nothing changed')
  await settle()
  t.same(states.map((s) => s.updated_at), [at(100)], 'the same state, published twice within the duplicate window, is heard once')
})

t.test('cancelling records and publishes the run as cancelled', async (t) => {
  const { deps, states, start } = await setup(t)
  await start('run-d')
  await recordEvent(deps, progress('run-d', 100, 'matching'))
  const cancelled = await cancelRun(deps, 'run-d')
  await settle()
  t.same([cancelled.status, cancelled.error?.code, cancelled.error?.stage], ['cancelled', 'RUNS_CANCELLED', 'matching'])
  t.same(states.at(-1), cancelled, 'the published state is the answer')
  t.equal(await recordEvent(deps, completed('run-d', 500)), undefined, 'a completion arriving afterwards changes nothing')
})

t.test('the sweep fails a quiet run through the same rule and publishes it', async (t) => {
  const { deps, states, start } = await setup(t)
  await start('run-e')
  await recordEvent(deps, progress('run-e', 100, 'matching'))
  const later = new Date(T0 + 3_600_000)
  const sweep = await sweepUnfinishedRuns(deps, { redispatch: false, stallTimeoutMs: 60_000, now: later })
  await settle()
  t.same(sweep.stalled, ['run-e'])
  t.same([states.at(-1)?.status, states.at(-1)?.error?.code, states.at(-1)?.error?.stage], ['failed', 'RUNS_STALLED', 'matching'])
})
