import { RunEvents, TERMINAL_STATUSES, type Run } from '@kalla/proto'
import { applyFailed, findRun } from '../db/runs-repository.ts'
import { RunsErrors } from '../errors.ts'
import type { RunsDeps } from './deps.ts'

/**
 * Cancels a run that has not finished: tells the matcher (which interrupts DuckDB, or skips the job if it
 * has not started) through the run's event subject, and records the run as cancelled at once.
 */
export async function cancelRun (deps: RunsDeps, runId: string): Promise<Run> {
  const run = await findRun(deps.db, runId)
  if (run === undefined) throw RunsErrors.RUNS_RUN_NOT_FOUND(`There is no run "${runId}".`)
  if (TERMINAL_STATUSES.has(run.status)) throw RunsErrors.RUNS_NOT_CANCELLABLE(`Run ${runId} has already ${run.status === 'completed' ? 'completed' : `ended (${run.status})`}.`)
  const at = new Date().toISOString()
  await deps.bus.publish(RunEvents, { type: 'cancel_requested', run_id: runId, at }, { subjectSuffix: runId })
  await applyFailed(deps.db, { run_id: runId, code: 'RUNS_CANCELLED', message: 'The run was cancelled on request.', stage: run.stage ?? 'dispatch', at })
  deps.log.info({ run_id: runId }, 'run cancelled')
  const cancelled = await findRun(deps.db, runId)
  const { job: _job, ...shown } = cancelled ?? run
  return shown
}
