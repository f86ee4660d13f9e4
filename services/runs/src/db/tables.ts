import type { ColumnType } from 'kysely'
import type { DecisionActor, DecisionCounts, ExplainSummary, Job, RecordKey, RunStatus } from '@kalla/proto'

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
  decision_counts: ColumnType<DecisionCounts | null, string | null, string | null>
  explain_summary: ColumnType<ExplainSummary | null, string | null, string | null>
  created_at: ColumnType<Date, Date | undefined, never>
  started_at: Date | null
  finished_at: Date | null
  updated_at: Date
}

type Json<T> = ColumnType<T, string, string>
type Stamp = ColumnType<Date, Date | undefined, Date>

export interface DecisionsTable {
  decision_id: string
  recipe_id: string
  kind: string
  left_keys: Json<RecordKey[]>
  right_keys: Json<RecordKey[]>
  reason: string
  status: string
  run_id: string | null
  created_by: Json<DecisionActor>
  created_at: Stamp
  reviewed_by: ColumnType<DecisionActor | null, string | null, string | null>
  reviewed_at: Date | null
}

export interface ExceptionsTable {
  recipe_id: string
  side: string
  record_key: string
  state: string
  resolution: string | null
  write_off_status: string | null
  write_off_by: ColumnType<DecisionActor | null, string | null, string | null>
  assignee: string | null
  due_date: ColumnType<string | null, string | null, string | null>
  updated_by: ColumnType<DecisionActor | null, string | null, string | null>
  updated_at: Stamp
}

export interface ExceptionCommentsTable {
  id: ColumnType<string, never, never>
  recipe_id: string
  side: string
  record_key: string
  author: Json<DecisionActor>
  body: string
  at: Stamp
}

export interface ExceptionHistoryTable {
  id: ColumnType<string, never, never>
  recipe_id: string
  side: string
  record_key: string
  change: Json<Record<string, unknown>>
  actor: Json<DecisionActor>
  at: Stamp
}

export interface RecipeSettingsTable {
  recipe_id: string
  four_eyes: boolean
  updated_by: ColumnType<DecisionActor | null, string | null, string | null>
  updated_at: Stamp
}

export interface UnmatchedSightingsTable {
  recipe_id: string
  side: string
  record_key: string
  run_id: string
}

export interface RunsDatabase {
  runs: RunsTable
  decisions: DecisionsTable
  exceptions: ExceptionsTable
  exception_comments: ExceptionCommentsTable
  exception_history: ExceptionHistoryTable
  recipe_settings: RecipeSettingsTable
  unmatched_sightings: UnmatchedSightingsTable
}
