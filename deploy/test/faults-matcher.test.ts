import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { readResultPage } from '@kalla/engine'
import type { Stage } from '@kalla/proto'
import type { ServiceProcess } from '@kalla/testing'
import { reportRecovery, startFaultBed, startServices, truthCounts } from './fault-bed.ts'
import { checkEndedOnce, checkNothingLeft } from './run-history.ts'

// A matcher killed (SIGKILL) in each stage of a run, another started in its place: the job comes back
// from JetStream once its ack wait passes, and the run completes once with the ground-truth counts.
// The matchers run with the production ack wait (15 s), so the recovery measured is the one deployed.
const PRODUCTION_ACK_WAIT = { MATCHER_ACK_WAIT_S: '15' }
let started = 0
const startMatcher = async (): Promise<ServiceProcess> => await bed.topology.start(`matcher-${++started}`, 'matcher', PRODUCTION_ACK_WAIT)
let matcher: ServiceProcess | undefined
const bed = await startFaultBed(t, {
  invoices: 80_000,
  seed: 11,
  start: async (bed) => {
    await startServices(bed)
    matcher = await bed.topology.start(`matcher-${++started}`, 'matcher', PRODUCTION_ACK_WAIT)
  }
})
const dir = await mkdtemp(join(tmpdir(), 'kalla-faults-matcher-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))

const STAGES: Stage[] = ['staging', 'matching', 'writing_results']

for (const stage of STAGES) {
  t.test(`a matcher killed while ${stage}: another matcher resumes the job and the run completes once with the right counts`, async (t) => {
    const runId = await bed.startRun()
    const followed = await bed.follow(runId)
    await followed.next((e) => e.type === 'progress' && e.stage === stage)
    const killed = matcher
    if (killed === undefined) throw new Error('no matcher runs')
    t.equal(await killed.stop('SIGKILL'), 'SIGKILL', 'the matcher was killed')
    const killedAt = Date.now()
    t.notOk(followed.events.some((e) => e.type === 'completed'), `it was killed before the run completed (during ${stage})`)
    matcher = await startMatcher()
    // The dead matcher's events are all older than its death; the first later one comes from its successor.
    const resumed = await followed.next((e) => e.type === 'progress' && Date.parse(e.at) > killedAt, { timeoutMs: 90_000 })
    await reportRecovery(t, `matcher killed while ${stage} -> job resumed elsewhere`, Date.parse(resumed.at) - killedAt, 'SIGKILL of the only matcher, a new one started at once; until the first progress event of the new matcher, MATCHER_ACK_WAIT_S=15')
    const done = await bed.finished(runId)
    t.equal(done.status, 'completed', JSON.stringify(done.error))
    await checkEndedOnce(t, bed.nc, runId, { status: 'completed', counts: truthCounts(bed.data) })
    t.match(killed.output(), new RegExp(`"run_id":"${runId}".*"attempt":1`), 'the killed matcher had taken the job')
    t.match(matcher.output(), new RegExp(`"run_id":"${runId}".*"attempt":2`), 'its successor took the redelivery')
    const local = join(dir, `${runId}.parquet`)
    await bed.storage.download(done.outputs?.matched ?? '', local)
    t.equal((await readResultPage(local, { limit: 1, offset: 0 })).totalCount, bed.data.truth.matched_count, 'every matched pair is in the stored results')
    await checkNothingLeft(t, { dataDir: bed.topology.dataDir, storage: bed.storage, runs: { [runId]: 'completed' } })
  })
}

t.test('the successor swept the work directories the killed matchers left', async (t) => {
  const swept = [...bed.topology.processes.values()].filter((p) => /removed work directories left by ended or killed jobs/.test(p.output()))
  t.ok(swept.length >= 1, `swept by ${swept.map((p) => p.name).join(', ')}`)
})
