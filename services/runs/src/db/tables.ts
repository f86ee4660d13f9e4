import type { ColumnType } from 'kysely'
import type { Job, RunStatus } from '@kalla/proto'

/** One row per run: its job (for re-dispatch), status, latest progress, counts, error and outputs. */
export interface RunsTable {
  run_id: string
  recipe_id: string
  status: RunStatus
  job: ColumnType<Job, string, string>
  stage: string | null
  source: string | null
  progress: number | null
  matched_count: number | null
  matched_left: number | null
  matched_right: number | null
  unmatched_left_count: number | null
  unmatched_right_count: number | null
  total_left: number | null
  total_right: number | null
  error_code: string | null
  error_message: string | null
  error_stage: string | null
  outputs: ColumnType<Record<string, string> | null, string | null, string | null>
  created_at: ColumnType<Date, Date | undefined, never>
  started_at: Date | null
  finished_at: Date | null
  updated_at: Date
}

export interface RunsDatabase {
  runs: RunsTable
}
