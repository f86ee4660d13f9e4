import t, { type Test } from 'tap'
import { GetRun } from '@kalla/proto'
import { graphql, waitFor } from '@kalla/testing'
import { elapsed, reportRecovery, startFaultBed, startServices, truthCounts, type FaultBed } from './fault-bed.ts'
import { checkEndedOnce, checkNothingLeft } from './run-history.ts'

// The infrastructure under a run goes away and comes back: NATS and Postgres crash and restart, the runs
// service is killed and started again. Each time the run in flight completes once with the right counts.
const bed = await startFaultBed(t, {
  invoices: 40_000,
  seed: 5,
  start: async (bed) => {
    await startServices(bed)
    await bed.topology.start('matcher', 'matcher')
    await bed.topology.start('gateway', 'gateway')
  }
})
const gatewayUrl = `http://127.0.0.1:${bed.topology.port('gateway')}`
const RUNS_QUERY = '{ runs(limit: 1) { runId } }'

/** Starts a run and resolves once its matcher reports `stage`. */
async function runReaching (bed: FaultBed, stage: 'staging' | 'matching'): Promise<string> {
  const runId = await bed.startRun()
  const followed = await bed.follow(runId)
  await followed.next((e) => e.type === 'progress' && e.stage === stage)
  return runId
}

async function completesOnce (t: Test, runId: string): Promise<void> {
  const done = await bed.finished(runId)
  t.equal(done.status, 'completed', JSON.stringify(done.error))
  await checkEndedOnce(t, bed.nc, runId, { status: 'completed', counts: truthCounts(bed.data) })
  await checkNothingLeft(t, { dataDir: bed.topology.dataDir, storage: bed.storage, runs: { [runId]: 'completed' } })
}

t.test('NATS crashes and restarts mid-run: the gateway refuses at once while it is down, answers again by itself, and the run completes once', async (t) => {
  const runId = await runReaching(bed, 'staging')
  const killedAt = performance.now()
  await bed.topology.nats.kill('SIGKILL')
  const down = await waitFor(async () => {
    const asked = performance.now()
    const answer = await graphql(gatewayUrl, RUNS_QUERY)
    const code = answer.errors?.[0]?.extensions?.code
    return code === undefined ? undefined : { code, ms: elapsed(asked) }
  }, 10_000, 'the gateway to notice the bus is gone')
  t.match(String(down.code), /UNAVAILABLE$/, `while NATS is down the gateway answers with an UNAVAILABLE code (${String(down.code)}, in ${down.ms} ms)`)
  const readyz = await fetch(`${gatewayUrl}/readyz`)
  t.equal(readyz.status, 503, 'and its /readyz fails')
  await bed.topology.nats.restart()
  const restartedAt = performance.now()
  await waitFor(async () => (await graphql(gatewayUrl, RUNS_QUERY)).errors === undefined ? true : undefined, 60_000, 'the gateway to answer again')
  await reportRecovery(t, 'NATS restart -> GraphQL answered again', elapsed(restartedAt), `SIGKILL of nats-server, restarted at once (down ${Math.round(restartedAt - killedAt)} ms); from the new server listening until a GraphQL query through the gateway (runs -> runs service over NATS) answers without error, polled every 25 ms`)
  await completesOnce(t, runId)
})

t.test('Postgres crashes and restarts mid-run: the runs service answers again and records the run, which completes once', async (t) => {
  const postgres = bed.topology.postgres
  if (postgres === undefined) throw new Error('the fault bed runs its own Postgres')
  const runId = await runReaching(bed, 'matching')
  const killedAt = performance.now()
  await postgres.kill()
  await postgres.restart()
  const restartedAt = performance.now()
  await waitFor(async () => (await bed.bus.request(GetRun, { run_id: runId }, { timeoutMs: 1000 })).run_id === runId ? true : undefined, 60_000, 'GetRun to answer again')
  const answered = elapsed(restartedAt)
  await waitFor(async () => (await fetch(`http://127.0.0.1:${bed.topology.port('runs')}/readyz`)).status === 200 ? true : undefined, 60_000, 'the runs service to be ready again')
  await reportRecovery(t, 'Postgres restart -> runs service answers again', answered, `pg_ctl stop -m immediate, then start (down ${Math.round(restartedAt - killedAt)} ms); from pg_ctl start returning (accepting connections) until GetRun over NATS answers from the database, polled every 25 ms`)
  await completesOnce(t, runId)
})

t.test('the runs service killed mid-run and started again: the run\'s events wait in the stream and the run completes once', async (t) => {
  const runId = await runReaching(bed, 'staging')
  const runs = bed.topology.processes.get('runs')
  t.equal(await runs?.stop('SIGKILL'), 'SIGKILL')
  const killedAt = performance.now()
  await bed.topology.start('runs', 'runs')
  const ready = elapsed(killedAt)
  await waitFor(async () => (await bed.bus.request(GetRun, { run_id: runId }, { timeoutMs: 1000 })).run_id === runId ? true : undefined, 60_000, 'GetRun to answer again')
  await reportRecovery(t, 'runs service killed -> a new one answers', elapsed(killedAt), `SIGKILL of the only runs process, a new one started at once (its /readyz 200 after ${ready} ms); until GetRun over NATS answers`)
  await completesOnce(t, runId)
})

t.test('no process printed the database password', async (t) => {
  const password = bed.topology.postgres?.password ?? ''
  t.ok(password.length > 0)
  for (const [name, process] of bed.topology.processes) t.notOk(process.output().includes(password), name)
})
