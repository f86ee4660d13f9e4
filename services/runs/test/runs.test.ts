import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { sql } from 'kysely'
import { BusError, createMemoryBus, type MemoryBus } from '@kalla/bus'
import { openDatabase } from '@kalla/db'
import { CancelRun, GetRecipe, GetRun, GetUpload, ListRuns, MATCHER_CONSUMER, MatchJobs, GetSource, RunEvents, StartRun, STREAMS, type Job, type Recipe } from '@kalla/proto'
import { CodedError } from '@kalla/service'
import { buildRunsApp } from '../src/app.ts'
import { loadRunsConfig } from '../src/config.ts'

const PG_URL = process.env.KALLA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

const recipe: Recipe = {
  recipe_id: 'invoice-payment',
  name: 'Invoices and payments',
  match_sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON i.invoice_id = p.reference_number',
  sources: {
    left: { alias: 'invoices', type: 'postgres', uri: 'source:erp', primary_key: ['invoice_id'] },
    right: { alias: 'payments', type: 'file', schema: ['payment_id', 'reference_number', 'paid_amount'], primary_key: ['payment_id'] }
  }
}
const upload = (id: string, columns: string[]) => ({ upload_id: id, filename: 'bank.csv', format: 'csv' as const, columns: columns.map((name) => ({ name, type: 'VARCHAR' })), size_bytes: 10, key: `uploads/${id}/bank.csv`, created_at: new Date().toISOString(), expires_at: new Date(Date.now() + 1e6).toISOString() })

/** The runs service on a memory bus, with stand-ins for the recipes and sources services. */
async function setup (t: Test, options: { matcher?: boolean } = {}): Promise<{ bus: MemoryBus, jobs: Job[], schema: string }> {
  const schema = `runs_test_${randomBytes(5).toString('hex')}`
  const bus = createMemoryBus()
  const database = await openDatabase({ url: PG_URL })
  await bus.ensureStreams(STREAMS)
  const notFound = (code: string, message: string): CodedError => new CodedError(code, message, { statusCode: 404 })
  // 'legacy' stands for a recipe saved with a password in its uri before that was refused: it is answered masked.
  const legacy: Recipe = { ...recipe, recipe_id: 'legacy', sources: { ...recipe.sources, left: { ...recipe.sources.left, uri: 'postgres://app:***@db/erp?table=invoices' } } }
  await bus.serve(GetRecipe, ({ recipe_id: id }) => {
    const found = [recipe, legacy].find((r) => r.recipe_id === id)
    if (found === undefined) throw notFound('RECIPES_NOT_FOUND', 'no')
    return { recipe: found, created_at: new Date().toISOString(), updated_at: new Date().toISOString() }
  }, { queue: 'recipes' })
  await bus.serve(GetUpload, ({ upload_id: id }) => {
    if (id === 'good') return upload(id, ['payment_id', 'reference_number', 'paid_amount', 'extra'])
    if (id === 'narrow') return upload(id, ['payment_id', 'amount'])
    throw notFound('SOURCES_UPLOAD_NOT_FOUND', 'no')
  }, { queue: 'sources' })
  await bus.serve(GetSource, ({ alias }) => { if (alias !== 'erp') throw notFound('SOURCES_NOT_FOUND', 'no'); return { alias, type: 'postgres' as const, uri: 'postgres://u:***@db/erp?table=invoices', columns: [], created_at: new Date().toISOString(), updated_at: new Date().toISOString() } }, { queue: 'sources' })
  const jobs: Job[] = []
  if (options.matcher !== false) await bus.consume(MatchJobs, { ...MATCHER_CONSUMER, durable: 'test-matcher' }, (job) => { jobs.push(job); return { ack: true } })
  const root = await mkdtemp(join(tmpdir(), 'kalla-runs-storage-'))
  const app = await buildRunsApp(loadRunsConfig({ RUNS_DB_SCHEMA: schema, MIGRATE_ON_START: 'true', LOG_LEVEL: 'fatal', STORAGE_DIR: root }), { bus, database })
  t.teardown(async () => {
    await app.close()
    await rm(root, { recursive: true, force: true })
    await sql`DROP SCHEMA ${sql.id(schema)} CASCADE`.execute(database.db)
    await database.close()
    await bus.close()
  })
  return { bus, jobs, schema }
}

async function until<T> (probe: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > end) throw new Error('condition not reached')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const code = async (promise: Promise<unknown>): Promise<string> => await promise.then(() => 'none', (e: unknown) => e instanceof BusError ? e.code : String(e))

t.test('starting a run resolves every source and queues one self-contained job', async (t) => {
  const { bus, jobs } = await setup(t)
  const run = await bus.request(StartRun, { recipe_id: 'invoice-payment', files: [{ alias: 'payments', upload_id: 'good' }] })
  t.equal(run.status, 'submitted')
  const job = await until(async () => jobs[0])
  t.equal(job.run_id, run.run_id)
  t.same(job.sources.map((s) => [s.alias, s.side, s.type, s.uri]), [
    ['invoices', 'left', 'postgres', 'source:erp'],
    ['payments', 'right', 'file', 'uploads/good/bank.csv']
  ])
  t.equal(job.output_path, `results/${run.run_id}`)
  const shown = await bus.request(GetRun, { run_id: run.run_id })
  t.notMatch(JSON.stringify(shown), /secret/, 'the run never shows the source credentials')
})

t.test('bad requests are refused with codes and queue nothing', async (t) => {
  const { bus, jobs } = await setup(t)
  t.equal(await code(bus.request(StartRun, { recipe_id: 'legacy', files: [{ alias: 'payments', upload_id: 'good' }] })), 'RUNS_SOURCE_CREDENTIALS_INLINE', 'a recipe holding credentials runs only once its source is registered')
  t.equal(await code(bus.request(StartRun, { recipe_id: 'nope' })), 'RUNS_RECIPE_NOT_FOUND')
  t.equal(await code(bus.request(StartRun, { recipe_id: 'invoice-payment' })), 'RUNS_FILE_MISSING')
  t.equal(await code(bus.request(StartRun, { recipe_id: 'invoice-payment', files: [{ alias: 'payments', upload_id: 'gone' }] })), 'RUNS_UPLOAD_NOT_FOUND')
  t.equal(await code(bus.request(StartRun, { recipe_id: 'invoice-payment', files: [{ alias: 'payments', upload_id: 'narrow' }] })), 'RUNS_UPLOAD_COLUMNS_MISMATCH')
  t.equal(await code(bus.request(StartRun, { recipe_id: 'invoice-payment', files: [{ alias: 'payments', upload_id: 'good' }, { alias: 'invoices', upload_id: 'good' }] })), 'RUNS_FILE_UNEXPECTED')
  t.equal(await code(bus.request(GetRun, { run_id: 'run-missing' })), 'RUNS_RUN_NOT_FOUND')
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(jobs.length, 0)
  t.same((await bus.request(ListRuns, { limit: 50, offset: 0 })).runs, [], 'no run was recorded')
})

t.test('progress and completion events move a run to completed, idempotently and in order', async (t) => {
  const { bus } = await setup(t)
  const run = await bus.request(StartRun, { recipe_id: 'invoice-payment', files: [{ alias: 'payments', upload_id: 'good' }] })
  const at = (ms: number): string => new Date(Date.now() + ms).toISOString()
  const suffix = { subjectSuffix: run.run_id }
  const progress = { type: 'progress' as const, run_id: run.run_id, matched_count: 0, total_left: 10, total_right: 12 }
  await bus.publish(RunEvents, { ...progress, stage: 'matching', progress: 0.5, at: at(200) }, suffix)
  await bus.publish(RunEvents, { ...progress, stage: 'staging', progress: 0.9, source: 'payments', at: at(100) }, suffix)
  const matching = await until(async () => { const r = await bus.request(GetRun, { run_id: run.run_id }); return r.status === 'matching' ? r : undefined })
  t.equal(matching.progress, 0.5, 'older progress arriving late does not move the run back')
  const outputs = { matched: 'results/x/matched.parquet', unmatched_left: 'a', unmatched_right: 'b', summary: 'c' }
  const completed = { type: 'completed' as const, run_id: run.run_id, matched_count: 7, matched_left: 6, matched_right: 7, unmatched_left_count: 4, unmatched_right_count: 5, total_left: 10, total_right: 12, outputs, timings_ms: { staging: 1, matching: 1, writing_results: 1, total: 3 }, at: at(300) }
  await bus.publish(RunEvents, completed, suffix)
  await bus.publish(RunEvents, completed, suffix)
  await bus.publish(RunEvents, { type: 'failed', run_id: run.run_id, code: 'ENGINE_INTERNAL', message: 'late', stage: 'matching', at: at(400) }, suffix)
  const done = await until(async () => { const r = await bus.request(GetRun, { run_id: run.run_id }); return r.status === 'completed' ? r : undefined })
  await new Promise((resolve) => setTimeout(resolve, 100))
  const final = await bus.request(GetRun, { run_id: run.run_id })
  t.same([final.status, final.matched_count, final.unmatched_right_count, final.outputs?.matched], ['completed', 7, 5, outputs.matched])
  t.ok(done.started_at !== undefined && done.finished_at !== undefined)
  t.same((await bus.request(ListRuns, { status: 'completed', limit: 10, offset: 0 })).runs.map((r) => r.run_id), [run.run_id])
})

t.test('cancelling tells the matcher and ends the run; a finished run cannot be cancelled', async (t) => {
  const { bus } = await setup(t)
  const run = await bus.request(StartRun, { recipe_id: 'invoice-payment', files: [{ alias: 'payments', upload_id: 'good' }] })
  const seen: string[] = []
  const sub = await bus.subscribe(RunEvents, { subjectSuffix: run.run_id, deliver: 'all' }, (event) => { seen.push(event.type) })
  t.teardown(() => sub.unsubscribe())
  const cancelled = await bus.request(CancelRun, { run_id: run.run_id })
  t.equal(cancelled.status, 'cancelled')
  await until(async () => seen.includes('cancel_requested') ? true : undefined)
  t.equal(await code(bus.request(CancelRun, { run_id: run.run_id })), 'RUNS_NOT_CANCELLABLE')
})

t.test('a job every matcher stopped on is announced as a dead letter and its run fails with the reason', async (t) => {
  const { bus } = await setup(t, { matcher: false })
  // A matcher that takes the job and never finishes it, as one killed mid-run each time.
  let release = (): void => {}
  const held = new Promise<{ ack: true }>((resolve) => { release = () => resolve({ ack: true }) })
  t.teardown(() => release())
  await bus.consume(MatchJobs, { ...MATCHER_CONSUMER, ackWaitMs: 100, maxDeliver: 2, concurrency: 4 }, async () => await held)
  const run = await bus.request(StartRun, { recipe_id: 'invoice-payment', files: [{ alias: 'payments', upload_id: 'good' }] })
  const failed = await until(async () => {
    const current = await bus.request(GetRun, { run_id: run.run_id })
    return current.status === 'failed' ? current : undefined
  })
  t.equal(failed.error?.code, 'RUNS_JOB_ABANDONED')
  t.match(failed.error?.message, /started 2 times/)
})
