import type { Run, StoredRecipe } from '@kalla/proto'

const CREATED = '2026-11-27T08:00:00.000Z'

export function storedRecipe (recipeId: string): StoredRecipe {
  return {
    recipe: {
      recipe_id: recipeId,
      name: `Recipe ${recipeId}`,
      match_sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON p.reference_number = i.invoice_id',
      sources: {
        left: { alias: 'invoices', type: 'postgres', uri: 'source:erp', primary_key: ['invoice_id'] },
        right: { alias: 'payments', type: 'file', schema: ['payment_id', 'reference_number'], primary_key: ['payment_id'] }
      }
    },
    created_at: CREATED,
    updated_at: CREATED
  }
}

export function run (runId: string, recipeId: string, status: Run['status'], extra: Partial<Run> = {}): Run {
  return { run_id: runId, recipe_id: recipeId, status, created_at: CREATED, updated_at: CREATED, ...extra }
}

export function completed (runId: string, recipeId: string): Run {
  return run(runId, recipeId, 'completed', {
    progress: 1,
    matched_count: 3,
    matched_left: 3,
    matched_right: 3,
    unmatched_left_count: 1,
    unmatched_right_count: 2,
    total_left: 4,
    total_right: 5,
    outputs: outputs(runId),
    started_at: CREATED,
    finished_at: '2026-11-27T08:00:05.000Z',
    updated_at: '2026-11-27T08:00:05.000Z'
  })
}

export function outputs (runId: string) {
  return { matched: `results/${runId}/matched.parquet`, unmatched_left: `results/${runId}/unmatched_left.parquet`, unmatched_right: `results/${runId}/unmatched_right.parquet`, summary: `results/${runId}/summary.json` }
}

const later = (seconds: number): string => new Date(Date.parse(CREATED) + seconds * 1000).toISOString()

/** A working run's state as the runs service publishes it, `second` seconds after it was created. */
export function progressState (runId: string, stage: 'staging' | 'matching' | 'writing_results', progress: number, second: number, recipeId = 'r1'): Run {
  return run(runId, recipeId, stage, { stage, progress, matched_count: 0, total_left: 4, total_right: 5, started_at: later(1), updated_at: later(second) })
}

/** The completed state, `second` seconds after the run was created. */
export function completedState (runId: string, second: number, recipeId = 'r1'): Run {
  return { ...completed(runId, recipeId), finished_at: later(second), updated_at: later(second) }
}
