import { RunEvents, TERMINAL_STATUSES, type Run, type RunEvent } from '@kalla/proto'
import { findRun } from '../db/runs-repository.ts'
import { RunsErrors } from '../errors.ts'
import type { RunsDeps } from './deps.ts'
import { recordEvent } from './record-event.ts'

/**
 * Cancels a run that has not finished: tells the matcher (which interrupts DuckDB, or skips the job if it
 * has not started) through the run's event subject, and records the same event at once, which ends the
 * run as cancelled (see evolveRun). A run that ended meanwhile is answered as it ended.
 */
export async function cancelRun (deps: RunsDeps, runId: string): Promise<Run> {
  const run = await findRun(deps.db, runId)
  if (run === undefined) throw RunsErrors.RUNS_RUN_NOT_FOUND(`There is no run "${runId}".`)
  if (TERMINAL_STATUSES.has(run.status)) throw RunsErrors.RUNS_NOT_CANCELLABLE(`Run ${runId} has already ${run.status === 'completed' ? 'completed' : `ended (${run.status})`}.`)
  const event: RunEvent = { type: 'cancel_requested', run_id: runId, at: new Date().toISOString() }
  await deps.bus.publish(RunEvents, event, { subjectSuffix: runId })
  const cancelled = await recordEvent(deps, event)
  if (cancelled !== undefined) return cancelled
  const { job: _job, ...shown } = await findRun(deps.db, runId) ?? run
  return shown
}
