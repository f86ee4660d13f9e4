import { evolveRun, RunUpdates, TERMINAL_STATUSES, type Run, type RunEvent } from '@kalla/proto'
import { findRun, updateRun } from '../db/runs-repository.ts'
import type { RunsDeps } from './deps.ts'

export interface RecordOptions {
  /** Publish the recorded state even when the event changes nothing: a publish lost after a commit is repaired. */
  republish?: boolean
  /** Record the event only if the run, as it is under the lock, still passes this check. */
  onlyIf?: (run: Run) => boolean
}

/**
 * Records one run event through evolveRun (idempotent and order-tolerant: a duplicate, late or stale event
 * changes nothing) and, once the change is committed, publishes the run's new state. A subscriber that
 * hears a state can therefore read the run and find at least that state. Returns the new run, or
 * undefined when nothing changed.
 */
export async function recordEvent (deps: RunsDeps, event: RunEvent, options: RecordOptions = {}): Promise<Run | undefined> {
  const { onlyIf = () => true } = options
  const changed = await updateRun(deps.db, event.run_id, (run) => onlyIf(run) ? evolveRun(run, event) : undefined)
  if (changed === undefined) {
    if (options.republish === true) await republish(deps, event.run_id)
    return undefined
  }
  await publishRun(deps, changed)
  if (TERMINAL_STATUSES.has(changed.status)) deps.log.info({ run_id: changed.run_id, status: changed.status, code: changed.error?.code, matched_count: changed.matched_count }, `run ${changed.status}`)
  return changed
}

/** Publishes a recorded state; its message id names the state, so publishing it again stores nothing new. */
export async function publishRun (deps: Pick<RunsDeps, 'bus'>, run: Run): Promise<void> {
  await deps.bus.publish(RunUpdates, run, { subjectSuffix: run.run_id, msgId: `${run.run_id}@${run.updated_at}` })
}

async function republish (deps: RunsDeps, runId: string): Promise<void> {
  const found = await findRun(deps.db, runId)
  if (found === undefined) return
  const { job: _job, ...run } = found
  await publishRun(deps, run)
}
