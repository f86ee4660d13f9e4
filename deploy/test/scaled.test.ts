import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import t from 'tap'
import { BusError, createNatsBus } from '@kalla/bus'
import { readResultPage } from '@kalla/engine'
import { busInboxPrefix, GetRun, KALLA_JOBS, KALLA_RUNS, ListRuns, MATCHER_CONSUMER, MatchJobs, RegisterSource, ResolveSource, RunEvents, SaveRecipe, StartRun, TERMINAL_STATUSES, topicFilter, type Recipe, type RunEvent } from '@kalla/proto'
import { createS3Storage } from '@kalla/storage'
import { prepareFlowData, runFullFlow, S3RVER_CREDENTIALS, uploadFile, waitFor } from '@kalla/testing'
import { startTopology } from './topology.ts'

// The scaled topology on this machine: every service its own OS process over real NATS JetStream,
// real Postgres and an S3-compatible store, driven from outside like any client would.
const dir = await mkdtemp(join(tmpdir(), 'kalla-scaled-'))
const topology = await startTopology()
t.teardown(async () => {
  await bus.close()
  await topology.stop()
  await rm(dir, { recursive: true, force: true })
})
await Promise.all([topology.start('sources', 'sources'), topology.start('recipes', 'recipes'), topology.start('runs', 'runs')])
await topology.start('matcher-a', 'matcher')
await topology.start('matcher-b', 'matcher')
const bus = await createNatsBus({ servers: topology.natsUrl, name: 'scaled-test', connectOptions: topology.natsTestUser })
const uploadUrl = (): string => `http://127.0.0.1:${topology.port('sources')}/uploads`
// trust auth ignores the password: it is there to prove no process ever prints it.
const sourceUrl = topology.databaseUrl.replace('postgres://postgres@', 'postgres://postgres:s3cret-pw@')
const data = await prepareFlowData(join(dir, 'flow'), sourceUrl, 3000)
const storage = createS3Storage({ bucket: topology.s3.bucket, region: 'us-east-1', endpoint: topology.s3.endpoint, forcePathStyle: true, credentials: S3RVER_CREDENTIALS })
t.teardown(() => storage.close())

const counts = (r: Record<string, unknown>): unknown[] => ['matched_count', 'matched_left', 'matched_right', 'unmatched_left_count', 'unmatched_right_count', 'total_left', 'total_right'].map((k) => r[k])
const finished = async (runId: string, timeoutMs = 120_000) => await waitFor(async () => {
  const run = await bus.request(GetRun, { run_id: runId })
  return TERMINAL_STATUSES.has(run.status) ? run : undefined
}, timeoutMs, `run ${runId} to finish`)

t.test('the full flow across separate processes ends in a completed run with the right counts and readable results', async (t) => {
  const { run, events } = await runFullFlow(bus, uploadUrl(), data, sourceUrl)
  t.equal(run.status, 'completed', JSON.stringify(run.error))
  t.same(counts(run), counts(data.truth as unknown as Record<string, unknown>))
  t.ok(events.some((e) => e.type === 'progress' && e.stage === 'staging'), 'progress events arrived')
  const local = join(dir, 'matched.parquet')
  await storage.download(run.outputs?.matched ?? '', local)
  t.equal((await readResultPage(local, { limit: 1, offset: 0 })).totalCount, data.truth.matched_count, 'matched.parquet in S3 is complete')
})

/** Waits until `count` matcher processes each have a pull request waiting on the job consumer. */
async function matchersWaiting (count: number): Promise<void> {
  const connection = await connect({ servers: topology.natsUrl, ...topology.natsTestUser })
  try {
    const manager = await jetstreamManager(connection)
    await waitFor(async () => (await manager.consumers.info(MATCHER_CONSUMER.stream, MATCHER_CONSUMER.durable)).num_waiting >= count ? true : undefined, 30_000, `${count} matchers waiting for jobs`)
  } finally {
    await connection.close()
  }
}

t.test('two matcher processes share ten queued runs', async (t) => {
  const upload = await uploadFile(uploadUrl(), data.paymentsCsv, 'payments.csv')
  // Both must be asking for work before the jobs are queued, or the first one ready can drain them all.
  await matchersWaiting(2)
  const started = await Promise.all(Array.from({ length: 10 }, () => bus.request(StartRun, { recipe_id: data.recipe.recipe_id, files: [{ alias: 'payments', upload_id: upload.uploadId }] })))
  const runs = await Promise.all(started.map((r) => finished(r.run_id)))
  t.ok(runs.every((r) => r.status === 'completed'), 'all ten completed')
  t.ok(runs.every((r) => JSON.stringify(counts(r)) === JSON.stringify(counts(data.truth as unknown as Record<string, unknown>))), 'each with the ground-truth counts')
  const handledBy = (name: string): number => started.filter((r) => topology.processes.get(name)?.output().includes(`"run_id":"${r.run_id}"`) === true && /"msg":"run completed"/.test(topology.processes.get(name)?.output() ?? '')).length
  t.ok(handledBy('matcher-a') > 0 && handledBy('matcher-b') > 0, `both matchers worked (a: ${handledBy('matcher-a')}, b: ${handledBy('matcher-b')})`)
})

t.test('a matcher killed with SIGKILL mid-run: the job is redelivered and the run completes once', async (t) => {
  await topology.processes.get('matcher-b')?.stop('SIGTERM')
  const big = await prepareFlowData(join(dir, 'big'), sourceUrl, 150_000, 11)
  const upload = await uploadFile(uploadUrl(), big.paymentsCsv, 'big-payments.csv')
  const run = await bus.request(StartRun, { recipe_id: data.recipe.recipe_id, files: [{ alias: 'payments', upload_id: upload.uploadId }] })
  const events: RunEvent[] = []
  const watch = await bus.subscribe(RunEvents, { subjectSuffix: run.run_id, deliver: 'all' }, (event) => { events.push(event) })
  t.teardown(() => watch.unsubscribe())
  await waitFor(() => events.some((e) => e.type === 'progress') ? true : undefined, 60_000, 'the run to start')
  t.equal(await topology.processes.get('matcher-a')?.stop('SIGKILL'), 'SIGKILL')
  await topology.start('matcher-c', 'matcher')
  const done = await finished(run.run_id)
  t.equal(done.status, 'completed', JSON.stringify(done.error))
  t.same(counts(done), counts(big.truth as unknown as Record<string, unknown>), 'counts equal the ground truth of the big dataset')
  await waitFor(() => events.some((e) => e.type === 'completed') ? true : undefined, 10_000, 'the completion event')
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.equal(events.filter((e) => e.type === 'completed').length, 1, 'exactly one completion')
  t.match(topology.processes.get('matcher-c')?.output() ?? '', new RegExp(`"run_id":"${run.run_id}"`), 'the surviving matcher ran it')
  const left = await readdir(join(topology.dataDir, 'work', 'matcher')).catch(() => [])
  t.match(topology.processes.get('matcher-c')?.output() ?? '', /removed work directories left by ended or killed jobs/, 'the next matcher found the killed one\'s work directory')
  t.same(left, [], 'and swept it: no work directory is left')
})

t.test('bad input gets coded errors and leaves no run unfinished', async (t) => {
  const code = async (promise: Promise<unknown>): Promise<string> => await promise.then(() => 'none', (e: unknown) => e instanceof BusError ? e.code : String(e))
  t.equal(await code(bus.request(StartRun, { recipe_id: 'no-such-recipe' })), 'RUNS_RECIPE_NOT_FOUND')
  t.equal(await code(bus.request(StartRun, { recipe_id: data.recipe.recipe_id, files: [{ alias: 'payments', upload_id: 'upl-missing' }] })), 'RUNS_UPLOAD_NOT_FOUND')
  const wrong = await uploadFile(uploadUrl(), join(dir, 'flow', 'invoices.csv'), 'not-payments.csv')
  t.equal(await code(bus.request(StartRun, { recipe_id: data.recipe.recipe_id, files: [{ alias: 'payments', upload_id: wrong.uploadId }] })), 'RUNS_UPLOAD_COLUMNS_MISMATCH')
  const invalid: Recipe = { ...data.recipe, recipe_id: 'invalid-sql', match_sql: 'SELECT i.invoice_id FROM invoices i JOIN read_csv(\'/etc/passwd\') x ON true' }
  t.equal(await code(bus.request(SaveRecipe, { recipe: invalid })), 'RECIPES_INVALID')
  const failing: Recipe = { ...data.recipe, recipe_id: 'fails-at-run-time', match_sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON p.reference_number = i.invoice_id WHERE CAST(p.payment_id AS INTEGER) > 0' }
  await bus.request(SaveRecipe, { recipe: failing })
  const upload = await uploadFile(uploadUrl(), data.paymentsCsv, 'payments.csv')
  const run = await bus.request(StartRun, { recipe_id: 'fails-at-run-time', files: [{ alias: 'payments', upload_id: upload.uploadId }] })
  const ended = await finished(run.run_id)
  t.equal(ended.status, 'failed')
  t.equal(ended.error?.code, 'ENGINE_SQL_FAILED')
  const { runs } = await bus.request(ListRuns, { limit: 500, offset: 0 })
  t.same(runs.filter((r) => !TERMINAL_STATUSES.has(r.status)).map((r) => r.run_id), [], 'no run is left unfinished')
})

t.test('no process ever printed the source password', async (t) => {
  for (const [name, process] of topology.processes) t.notMatch(process.output(), /s3cret-pw/, name)
})

t.test('no process was refused a subject: each NATS user has every permission its process needs', async (t) => {
  for (const [name, process] of topology.processes) t.notMatch(process.output(), /Permissions Violation|Authorization Violation/i, name)
})

t.test('the bus admits only known users, each to its own subjects', async (t) => {
  await t.rejects(connect({ servers: topology.natsUrl, reconnect: false }), /Authorization Violation/i, 'a client without a user cannot connect')
  await t.rejects(connect({ servers: topology.natsUrl, reconnect: false, user: 'gateway', pass: 'wrong' }), /Authorization Violation/i, 'nor one with a wrong password')

  const asGateway = await connect({ servers: topology.natsUrl, user: 'gateway', pass: topology.natsPasswords.gateway, inboxPrefix: busInboxPrefix('gateway') })
  t.teardown(() => asGateway.close())
  await t.rejects(asGateway.request(ResolveSource.subject, JSON.stringify({ alias: 'invoices' }), { timeout: 2000 }), /Permissions Violation|permission/i, 'the gateway may not resolve a source\'s credentials')
  const manager = await jetstreamManager(asGateway)
  await t.rejects(manager.consumers.add(KALLA_JOBS.name, { name: 'peek', filter_subject: topicFilter(MatchJobs) }), /Permissions Violation|permission|timeout/i, 'nor read the job queue')
  await t.rejects(manager.streams.delete(KALLA_RUNS.name), /Permissions Violation|permission|timeout/i, 'nor delete a stream')
  const refused = (subject: string): Promise<unknown> => new Promise((resolve) => {
    const subscription = asGateway.subscribe(subject, { callback: () => {} })
    subscription.closed.then(resolve, resolve)
    setTimeout(() => resolve('still open'), 2000)
  })
  t.match(String(await refused(`${busInboxPrefix('matcher')}.>`)), /Permissions Violation|permission/i, 'nor listen to the matcher\'s replies')
  t.match(String(await refused('kalla.jobs.>')), /Permissions Violation|permission/i, 'nor to the jobs\' subject')

  const asMatcher = await connect({ servers: topology.natsUrl, user: 'matcher', pass: topology.natsPasswords.matcher, inboxPrefix: busInboxPrefix('matcher') })
  t.teardown(() => asMatcher.close())
  await t.rejects(asMatcher.request(RegisterSource.subject, '{}', { timeout: 2000 }), /Permissions Violation|permission/i, 'the matcher may not register sources')
})
