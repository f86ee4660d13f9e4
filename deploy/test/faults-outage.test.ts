import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { GetRun } from '@kalla/proto'
import { graphql, waitFor } from '@kalla/testing'
import { elapsed, reportRecovery, startFaultBed, startServices, truthCounts } from './fault-bed.ts'
import { checkEndedOnce, checkNothingLeft } from './run-history.ts'

// Longer outages than a restart: NATS and Postgres each gone for 25 s under a run in flight,
// about as long as a failover or a node replacement takes. Every process must come back by itself.
// Longer than nats.js' 10 reconnect attempts (about 20 s) and than 10 deliveries of a run event 2 s apart.
const OUTAGE_MS = 25_000
const bed = await startFaultBed(t, {
  invoices: 20_000,
  seed: 3,
  start: async (bed) => {
    await startServices(bed)
    await bed.topology.start('matcher', 'matcher')
    await bed.topology.start('gateway', 'gateway')
  }
})
const gatewayUrl = `http://127.0.0.1:${bed.topology.port('gateway')}`

async function completesOnce (t: Test, runId: string): Promise<void> {
  const done = await bed.finished(runId)
  t.equal(done.status, 'completed', JSON.stringify(done.error))
  await checkEndedOnce(t, bed.nc, runId, { status: 'completed', counts: truthCounts(bed.data) })
  await checkNothingLeft(t, { dataDir: bed.topology.dataDir, storage: bed.storage, runs: { [runId]: 'completed' } })
}

t.test('NATS gone for 25 s mid-run: every process reconnects by itself and the run completes once', async (t) => {
  const runId = await bed.startRun()
  const followed = await bed.follow(runId)
  await followed.next((e) => e.type === 'progress')
  await bed.topology.nats.kill('SIGKILL')
  await sleep(OUTAGE_MS)
  await bed.topology.nats.restart()
  const restartedAt = performance.now()
  await waitFor(async () => (await graphql(gatewayUrl, '{ runs(limit: 1) { runId } }')).errors === undefined ? true : undefined, 60_000, 'the gateway to answer again')
  await reportRecovery(t, 'NATS back after a 25 s outage -> GraphQL answered again', elapsed(restartedAt), 'nats-server killed, restarted 25 s later; from the new server listening until a GraphQL query through the gateway answers without error')
  for (const name of ['sources', 'recipes', 'runs', 'matcher', 'gateway']) {
    const ready = await waitFor(async () => (await fetch(`http://127.0.0.1:${bed.topology.port(name)}/readyz`)).status === 200 ? true : undefined, 30_000, `${name} to be ready`).catch(() => false)
    t.ok(ready, `${name} is ready again`)
  }
  await completesOnce(t, runId)
})

t.test('Postgres gone for 25 s while a run ends: its completion is recorded once the database is back', async (t) => {
  const postgres = bed.topology.postgres
  if (postgres === undefined) throw new Error('the fault bed runs its own Postgres')
  const runId = await bed.startRun()
  const followed = await bed.follow(runId)
  // Past staging the matcher no longer needs Postgres; the runs service does, for every event.
  await followed.next((e) => e.type === 'progress' && e.stage === 'matching')
  await postgres.kill()
  await followed.next((e) => e.type === 'completed', { timeoutMs: OUTAGE_MS })
  await sleep(OUTAGE_MS)
  await postgres.restart()
  const restartedAt = performance.now()
  await waitFor(async () => (await bed.bus.request(GetRun, { run_id: runId }, { timeoutMs: 1000 })).status === 'completed' ? true : undefined, 60_000, 'the completion to be recorded')
  await reportRecovery(t, 'Postgres back after a 25 s outage -> completion recorded', elapsed(restartedAt), 'pg_ctl stop -m immediate, start 25 s later (the run completed meanwhile); from pg_ctl start returning until GetRun answers the run as completed')
  await completesOnce(t, runId)
})
