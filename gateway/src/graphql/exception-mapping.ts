import type { ExceptionRecord, Run } from '@kalla/proto'

/** An exception as GraphQL shows it. */
export function toException (e: ExceptionRecord) {
  return { recipeId: e.recipe_id, side: e.side, key: e.key, state: e.state, resolution: e.resolution ?? null, writeOffStatus: e.write_off_status ?? null, assignee: e.assignee ?? null, dueDate: e.due_date ?? null, comments: e.comments, updatedBy: e.updated_by ?? null, updatedAt: e.updated_at ?? null, firstSeenAt: e.first_seen_at ?? null, firstSeenRunId: e.first_seen_run_id ?? null, runsUnmatched: e.runs_unmatched ?? 0 }
}

/** A key column of a result row as text, matched without regard to case as the engine resolves it. */
export function keyText (row: Record<string, unknown>, column: string): string {
  const name = Object.keys(row).find((k) => k.toLowerCase() === column.toLowerCase()) ?? column
  return String(row[name])
}

/**
 * The storage key of a run's explain file for one side, or undefined when the run has none. The matcher
 * lists the explain keys of every run asked to explain, also when the explanation was unavailable and no
 * file was written, so the summary decides.
 */
export function explainKey (run: Run, side: 'left' | 'right'): string | undefined {
  return run.explain?.available === true ? run.outputs?.[`explain_${side}`] : undefined
}
