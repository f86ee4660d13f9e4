import { MatchJobs } from '@kalla/proto'
import { unfinishedRuns } from '../db/runs-repository.ts'
import type { RunsDeps } from './deps.ts'
import { recordEvent } from './record-event.ts'

/**
 * Makes sure no run waits forever. At start-up, runs still `submitted` are queued again (the job's
 * message id is the run id, so a job that is still queued is not duplicated). Any started run without
 * an event for `stallTimeoutMs` is failed with RUNS_STALLED and a reason, recorded and published like any
 * event; a run that was heard from while the sweep ran is left alone.
 */
export async function sweepUnfinishedRuns (deps: RunsDeps, options: { redispatch: boolean, stallTimeoutMs: number, now?: Date }): Promise<{ redispatched: string[], stalled: string[] }> {
  const now = options.now ?? new Date()
  const redispatched: string[] = []
  const stalled: string[] = []
  for (const run of await unfinishedRuns(deps.db)) {
    const quietMs = now.getTime() - new Date(run.updated_at).getTime()
    if (run.status === 'submitted' && options.redispatch) {
      await deps.bus.publish(MatchJobs, run.job, { msgId: run.run_id })
      redispatched.push(run.run_id)
    } else if (run.status !== 'submitted' && quietMs > options.stallTimeoutMs) {
      const minutes = Math.round(quietMs / 60_000)
      const failed = await recordEvent(deps, {
        type: 'failed',
        run_id: run.run_id,
        code: 'RUNS_STALLED',
        message: `The run stopped reporting progress ${minutes} minute(s) ago during ${run.stage ?? 'dispatch'} (its matcher was probably lost). Start it again.`,
        stage: run.stage ?? 'dispatch',
        at: now.toISOString()
      }, { onlyIf: (current) => current.updated_at === run.updated_at })
      // An event recorded since the list was read means the run is alive after all.
      if (failed === undefined) continue
      stalled.push(run.run_id)
    }
  }
  if (redispatched.length + stalled.length > 0) deps.log.warn({ redispatched, stalled }, 'resolved unfinished runs')
  return { redispatched, stalled }
}
