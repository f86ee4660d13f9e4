import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { CancelRun } from '@kalla/proto'
import { waitFor } from '@kalla/testing'
import { elapsed, reportRecovery, startFaultBed, startServices } from './fault-bed.ts'
import { checkEndedOnce, checkNothingLeft, cpuSeconds, treeSize } from './run-history.ts'

// Runaway queries against the scaled topology: a cancel stops the matcher's work (its CPU and its spill),
// and a run that spills past the matcher's spill limit fails with ENGINE_SPILL_LIMIT, its spill removed.
const RUNAWAY_ID = 'runaway-cross-join'
const bed = await startFaultBed(t, {
  invoices: 2000,
  start: async (bed) => {
    await startServices(bed)
    // Multiplies the sources' rows by 10^12: it would compute and spill for hours.
    await bed.saveRecipe({ ...bed.data.recipe, recipe_id: RUNAWAY_ID, match_sql: 'SELECT i.invoice_id, p.payment_id, a.range AS x FROM invoices i, payments p, range(1000000) a, range(1000000) b' })
  }
})
const runaway = { recipe_id: RUNAWAY_ID }
const workRoot = join(bed.topology.dataDir, 'work', 'matcher')

/** CPU seconds the process used over the next `ms`. */
async function cpuOver (pid: number, ms: number): Promise<number> {
  const before = await cpuSeconds(pid)
  await sleep(ms)
  return await cpuSeconds(pid) - before
}

t.test('cancelling a runaway query stops the matcher\'s work: its CPU and its spill stop, the run is cancelled once', async (t) => {
  const matcher = await bed.topology.start('matcher-cancel', 'matcher', { ENGINE_MEMORY_LIMIT: '128MB', ENGINE_MAX_SPILL: '20GB', ENGINE_THREADS: '2', ENGINE_TIMEOUT_S: '0' })
  const pid = matcher.child.pid ?? 0
  const runId = await bed.startRun(runaway.recipe_id)
  const followed = await bed.follow(runId)
  await followed.next((e) => e.type === 'progress' && e.stage === 'matching')
  // Busy and spilling before the cancel, so stopping is something to see.
  await waitFor(async () => await treeSize(workRoot) > 32 * 2 ** 20 ? true : undefined, 60_000, 'the runaway join to spill')
  const busy = await cpuOver(pid, 500)
  t.ok(busy > 0.2, `the matcher computes before the cancel (${busy.toFixed(2)} CPU s in 0.5 s)`)
  const cancelledAt = performance.now()
  const answer = await bed.bus.request(CancelRun, { run_id: runId })
  t.equal(answer.status, 'cancelled', 'the cancel answers CANCELLED')
  // Idle: under 5 % of a core over 500 ms, and the job's work directory (its spill) gone.
  const stopped = await waitFor(async () => await cpuOver(pid, 500) < 0.025 && await treeSize(workRoot) === 0 ? elapsed(cancelledAt) : undefined, 30_000, 'the matcher to stop working')
  await reportRecovery(t, 'cancel of a runaway cross join -> matcher idle, spill removed', stopped, 'from the CancelRun request until a 500 ms window with < 5 % of a core of matcher CPU and no work directory left (the window is included)')
  t.ok(await cpuOver(pid, 1000) < 0.05, 'and it stays idle')
  await checkEndedOnce(t, bed.nc, runId, { status: 'cancelled', code: 'RUNS_CANCELLED' })
  await checkNothingLeft(t, { dataDir: bed.topology.dataDir, storage: bed.storage, runs: { [runId]: 'cancelled' } })
  t.match(matcher.output(), /cancellation requested; stopping the run/, 'the matcher heard the cancel')
  await matcher.stop('SIGTERM')
})

t.test('a run that spills past the spill limit fails with ENGINE_SPILL_LIMIT once, and its spill files are gone', async (t) => {
  const matcher = await bed.topology.start('matcher-spill', 'matcher', { ENGINE_MEMORY_LIMIT: '64MB', ENGINE_MAX_SPILL: '48MB', ENGINE_THREADS: '2', ENGINE_TIMEOUT_S: '0' })
  const runId = await bed.startRun(runaway.recipe_id)
  let peak = 0
  const sampling = setInterval(() => { treeSize(workRoot).then((size) => { peak = Math.max(peak, size) }, () => {}) }, 100)
  t.teardown(() => { clearInterval(sampling) })
  const ended = await bed.finished(runId)
  clearInterval(sampling)
  t.equal(ended.status, 'failed')
  t.equal(ended.error?.code, 'ENGINE_SPILL_LIMIT')
  t.equal(ended.error?.stage, 'matching')
  t.match(ended.error?.message ?? '', /ENGINE_MAX_SPILL/, 'the message says what to change')
  t.comment(`peak size of the matcher's work directories: ${(peak / 2 ** 20).toFixed(1)} MiB against a 48 MB spill limit (inputs included)`)
  t.ok(peak > 0, 'the run did spill')
  await checkEndedOnce(t, bed.nc, runId, { status: 'failed', code: 'ENGINE_SPILL_LIMIT' })
  await checkNothingLeft(t, { dataDir: bed.topology.dataDir, storage: bed.storage, runs: { [runId]: 'failed' } })
  t.notMatch(matcher.output(), /will be retried/, 'a spill limit is not retried')
  await matcher.stop('SIGTERM')
})
