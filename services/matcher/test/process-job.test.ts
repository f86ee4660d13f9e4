import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { Registry } from 'prom-client'
import { createMemoryBus, type DeliveryControl, type MemoryBus } from '@kalla/bus'
import { MATCHER_CONSUMER, RunEvents, STREAMS, type DecisionLine, type JobDecisionsFile, type RunEvent } from '@kalla/proto'
import { createLogger, sourceAccess } from '@kalla/service'
import { createLocalStorage, StorageError, type Storage } from '@kalla/storage'
import type { MatcherDeps } from '../src/domain/deps.ts'
import { createMatcherMetrics } from '../src/domain/metrics.ts'
import { processJob } from '../src/domain/process-job.ts'
import { job, putInputs } from './helpers.ts'
import { workDirs } from '../src/domain/work-dirs.ts'

interface Setup { bus: MemoryBus, storage: Storage, root: string, workDir: string, events: RunEvent[], deps: (storage?: Storage) => MatcherDeps }

async function setup (t: Test): Promise<Setup> {
  const bus = createMemoryBus({ logger: { warn: () => {}, error: () => {} } })
  await bus.ensureStreams(STREAMS)
  const root = await mkdtemp(join(tmpdir(), 'kalla-matcher-objects-'))
  const workDir = await mkdtemp(join(tmpdir(), 'kalla-matcher-work-'))
  const storage = createLocalStorage({ root })
  await putInputs(storage)
  const events: RunEvent[] = []
  await bus.subscribe(RunEvents, { deliver: 'all' }, (event) => { events.push(event) })
  t.teardown(async () => {
    await bus.close()
    await storage.close()
    await rm(root, { recursive: true, force: true })
    await rm(workDir, { recursive: true, force: true })
  })
  const deps = (used: Storage = storage): MatcherDeps => ({
    bus,
    storage: used,
    access: sourceAccess(randomBytes(32)),
    engine: { threads: 1, memoryLimit: '1GB' },
    workDirs: workDirs(workDir),
    progressIntervalMs: 100,
    consumer: MATCHER_CONSUMER,
    log: createLogger({ name: 'matcher', level: 'silent' }),
    metrics: createMatcherMetrics(new Registry())
  })
  return { bus, storage, root, workDir, events, deps }
}

const control = (attempt: number): DeliveryControl => ({
  working: () => {},
  attempt,
  maxDeliver: MATCHER_CONSUMER.maxDeliver,
  subject: 'kalla.jobs.match.v1',
  signal: new AbortController().signal
})

t.test('unavailable storage is retried with the consumer backoff, and the run fails only on the last attempt', async (t) => {
  const s = await setup(t)
  const down: Storage = { ...s.storage, download: async () => { throw new StorageError('STORAGE_UNAVAILABLE', 'Storage /somewhere cannot be used: connect ECONNREFUSED.') } }
  const j = job()
  t.same(await processJob(s.deps(down), j, control(1)), { nak: MATCHER_CONSUMER.backoffMs[0] })
  t.same(await processJob(s.deps(down), j, control(2)), { nak: MATCHER_CONSUMER.backoffMs[1] })
  t.same(s.events.filter((e) => e.type === 'failed'), [], 'no failure is reported while a retry follows')
  const last = await processJob(s.deps(down), j, control(3))
  t.ok('term' in last, 'the last attempt terminates the job')
  const failed = s.events.find((e) => e.type === 'failed')
  t.match(failed, { code: 'MATCHER_STORAGE_UNAVAILABLE', stage: 'staging', message: /gave up after 3 attempts/ })
  t.notMatch(failed?.type === 'failed' ? failed.message : '', /somewhere|ECONNREFUSED/, 'storage details stay in the logs')
  t.same(await readdir(join(s.workDir, 'matcher')), [], 'every attempt removed its work directory')
})

t.test('an unreachable source database is passed to the engine as it is and treated as transient', async (t) => {
  const s = await setup(t)
  const base = job()
  const j = job({ sources: base.sources.map((src) => src.side === 'left' ? { alias: 'invoices', side: 'left', type: 'postgres', uri: 'postgres://kalla@127.0.0.1:1/erp?table=invoices' } : src) })
  t.same(await processJob(s.deps(), j, control(1)), { nak: MATCHER_CONSUMER.backoffMs[0] })
  const last = await processJob(s.deps(), j, control(3))
  t.ok('term' in last)
  t.match(s.events.find((e) => e.type === 'failed'), { code: 'ENGINE_SOURCE_UNREACHABLE', stage: 'staging' })
})

t.test('a local storage that names its files is read in place, without a download', async (t) => {
  const s = await setup(t)
  let downloads = 0
  const inPlace = {
    ...s.storage,
    localPath: async (key: string) => join(s.root, key),
    download: async (key: string, path: string) => { downloads++; return await s.storage.download(key, path) }
  }
  const j = job()
  t.same(await processJob(s.deps(inPlace), j, control(1)), { ack: true })
  t.equal(downloads, 0)
  t.match(s.events.find((e) => e.type === 'completed'), { matched_count: 3, total_left: 4, total_right: 5 })
})

t.test('an output path that is not a storage key fails the run before any work', async (t) => {
  const s = await setup(t)
  const j = job({ output_path: '../outside' })
  const outcome = await processJob(s.deps(), j, control(1))
  t.ok('term' in outcome)
  t.match(s.events.find((e) => e.type === 'failed'), { code: 'MATCHER_OUTPUT_PATH_INVALID', stage: 'dispatch' })
  t.equal(s.events.filter((e) => e.type === 'progress').length, 0)
})

/** Writes decision lines as a run's decisions file and describes it as the job carries it. */
async function putDecisions (storage: Storage, key: string, lines: DecisionLine[]): Promise<JobDecisionsFile> {
  const body = lines.map((l) => JSON.stringify(l) + '\n').join('')
  await storage.put(key, body)
  return { key, lines: lines.length, sha256: createHash('sha256').update(body).digest('hex') }
}

// SQL matches I1-P1, I2-P2 (0.01 off) and I4-P5; I3 and P3, P4 stay open.
const DECIDED: DecisionLine[] = [
  { kind: 'unmatch', side: 'left', key: ['I1'], decision_id: 'dec-u' },
  { kind: 'unmatch', side: 'right', key: ['P1'], decision_id: 'dec-u' },
  { kind: 'write_off', side: 'left', key: ['I3'] },
  { kind: 'write_off', side: 'right', key: ['P4'] }
]

t.test('a decisions file in storage is checked and applied: unmatches and write-offs change the counts', async (t) => {
  const s = await setup(t)
  const base = job()
  const j = job({ run_id: base.run_id, decisions_file: await putDecisions(s.storage, `${base.output_path}/decisions.ndjson`, DECIDED) })
  t.same(await processJob(s.deps(), j, control(1)), { ack: true })
  const completed = s.events.find((e) => e.type === 'completed')
  t.match(completed, { matched_count: 2, unmatched_left_count: 1, unmatched_right_count: 2, total_left: 4, total_right: 5 })
  t.match(completed?.type === 'completed' ? completed.decisions : undefined, { unmatched_by_decision: 1, written_off_left: 1, written_off_right: 1, sql_matched_left: 2, decisions_not_applied: 0 })
})

t.test('a missing decisions file fails the run with a coded error in plain words, not a run without its decisions', async (t) => {
  const s = await setup(t)
  const j = job({ decisions_file: { key: 'results/gone/decisions.ndjson', lines: 4, sha256: 'a'.repeat(64) } })
  const outcome = await processJob(s.deps(), j, control(1))
  t.ok('term' in outcome, 'permanent: retrying cannot bring the file back')
  const failed = s.events.find((e) => e.type === 'failed')
  t.match(failed, { code: 'MATCHER_DECISIONS_NOT_FOUND', stage: 'staging', message: /no longer in storage.*Start a new run/ })
  t.notOk(s.events.some((e) => e.type === 'completed'))
})

t.test('a decisions file changed after the run started fails the run as corrupt', async (t) => {
  const s = await setup(t)
  const base = job()
  const file = await putDecisions(s.storage, `${base.output_path}/decisions.ndjson`, DECIDED)
  // The same number of lines, one write-off moved to another record.
  await putDecisions(s.storage, file.key, DECIDED.map((l) => l.kind === 'write_off' && l.side === 'left' ? { ...l, key: ['I2'] } : l))
  const outcome = await processJob(s.deps(), job({ run_id: base.run_id, decisions_file: file }), control(1))
  t.ok('term' in outcome)
  t.match(s.events.find((e) => e.type === 'failed'), { code: 'MATCHER_DECISIONS_CORRUPT', stage: 'staging', message: /changed in storage/ })
})
