import { TERMINAL_STATUSES, type Run, type RunStatus } from './services/runs.ts'
import type { RunEvent } from './topics.ts'

/** Failure codes that mean the run was stopped on purpose: they end a run as cancelled, not failed. */
export const CANCELLATION_CODES: ReadonlySet<string> = new Set(['ENGINE_CANCELLED', 'RUNS_CANCELLED'])

/** The status a failure with `code` ends a run in. */
export function failureStatus (code: string): Extract<RunStatus, 'failed' | 'cancelled'> {
  return CANCELLATION_CODES.has(code) ? 'cancelled' : 'failed'
}

/**
 * A run as it is recorded the moment it is created.
 * @example const run = newRun({ run_id: 'run-1', recipe_id: 'r1', at: new Date().toISOString() })
 */
export function newRun (created: { run_id: string, recipe_id: string, at: string }): Run {
  return { run_id: created.run_id, recipe_id: created.recipe_id, status: 'submitted', created_at: created.at, updated_at: created.at }
}

/**
 * The one rule of how an event changes a run. Returns the changed run as a new object, or undefined when
 * the event changes nothing: anything for a finished run, progress older than the run's last change, a
 * duplicate. Progress moves a live run forward; completed, failed and cancel_requested end it (a failure
 * coded as a cancellation, and a cancel request, end it as cancelled).
 *
 * Every change moves `updated_at` forward, to the event's time or 1 ms past the previous change when the
 * event is not later, so a run's states are strictly ordered by `updated_at`: subscribers keep the newest,
 * and `run_id` + `updated_at` names one state (a message id that de-duplicates).
 * @example const next = evolveRun(run, event); if (next !== undefined) save(next)
 */
export function evolveRun (run: Run, event: RunEvent): Run | undefined {
  if (run.run_id !== event.run_id || TERMINAL_STATUSES.has(run.status)) return undefined
  const next = eventState(run, event)
  if (next === undefined) return undefined
  // A later event always counts, even with nothing new: it shows the run is alive (the stall check reads updated_at).
  if (Date.parse(event.at) <= Date.parse(run.updated_at) && sameState(run, next)) return undefined
  return { ...next, updated_at: laterThan(run.updated_at, event.at) }
}

/** True when `candidate` is a later state of the run than `than` (by `updated_at`). */
export function isLaterRun (candidate: Pick<Run, 'updated_at'>, than: Pick<Run, 'updated_at'> | undefined): boolean {
  return than === undefined || Date.parse(candidate.updated_at) > Date.parse(than.updated_at)
}

function eventState (run: Run, event: RunEvent): Run | undefined {
  switch (event.type) {
    case 'progress': {
      if (Date.parse(event.at) < Date.parse(run.updated_at)) return undefined
      const { source: _source, ...rest } = run
      return {
        ...rest,
        status: event.stage,
        stage: event.stage,
        ...(event.source === undefined ? {} : { source: event.source }),
        progress: event.progress,
        matched_count: event.matched_count,
        total_left: event.total_left,
        total_right: event.total_right,
        started_at: run.started_at ?? event.at
      }
    }
    case 'completed': {
      const { type: _type, run_id: _runId, timings_ms: _timings, at, ...counts } = event
      return { ...run, ...counts, status: 'completed', stage: 'writing_results', progress: 1, started_at: run.started_at ?? at, finished_at: at }
    }
    case 'failed':
      return { ...run, status: failureStatus(event.code), error: { code: event.code, message: event.message, stage: event.stage }, finished_at: event.at }
    case 'unmatched_keys':
      // Recorded apart (record ages); it changes nothing in the run's state.
      return undefined
    case 'cancel_requested':
      return { ...run, status: 'cancelled', error: { code: 'RUNS_CANCELLED', message: 'The run was cancelled on request.', stage: run.stage ?? 'dispatch' }, finished_at: event.at }
  }
}

// Both runs' fields except updated_at.
function sameState (a: Run, b: Run): boolean {
  const { updated_at: _a, ...left } = a
  const { updated_at: _b, ...right } = b
  return JSON.stringify(sorted(left)) === JSON.stringify(sorted(right))
}

function sorted (value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).sort(([x], [y]) => x.localeCompare(y)))
}

function laterThan (previous: string, at: string): string {
  return new Date(Math.max(Date.parse(at), Date.parse(previous) + 1)).toISOString()
}
