import Type, { type Static } from 'typebox'
import { DecisionCounts, ExplainSummary, FailureStage, RunOutputs, Stage } from '../events.ts'
import { defineEndpoint } from '../transport.ts'
import { FileBinding, Timestamp } from './common.ts'

export const RunStatuses = ['submitted', 'staging', 'matching', 'writing_results', 'completed', 'failed', 'cancelled'] as const
export const RunStatus = Type.Enum(RunStatuses)
export type RunStatus = Static<typeof RunStatus>
export const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set(['completed', 'failed', 'cancelled'])

const Count = Type.Optional(Type.Integer({ minimum: 0 }))

/** A run as the runs service records it: status, latest progress, counts, error or outputs. */
export const Run = Type.Object({
  run_id: Type.String(),
  recipe_id: Type.String(),
  status: RunStatus,
  stage: Type.Optional(Stage),
  source: Type.Optional(Type.String()),
  progress: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  matched_count: Count,
  matched_left: Count,
  matched_right: Count,
  unmatched_left_count: Count,
  unmatched_right_count: Count,
  total_left: Count,
  total_right: Count,
  decisions: Type.Optional(DecisionCounts),
  explain: Type.Optional(ExplainSummary),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String(), stage: FailureStage }, { additionalProperties: false })),
  outputs: Type.Optional(RunOutputs),
  created_at: Timestamp,
  started_at: Type.Optional(Timestamp),
  finished_at: Type.Optional(Timestamp),
  updated_at: Timestamp
}, { additionalProperties: false })
export type Run = Static<typeof Run>

export const StartRun = defineEndpoint({
  subject: 'kalla.runs.start.v1',
  request: Type.Object({ recipe_id: Type.String(), files: Type.Optional(Type.Array(FileBinding)) }, { additionalProperties: false }),
  response: Run
})
export const GetRun = defineEndpoint({ subject: 'kalla.runs.get.v1', request: Type.Object({ run_id: Type.String() }), response: Run })
export const ListRuns = defineEndpoint({
  subject: 'kalla.runs.list.v1',
  request: Type.Object({
    recipe_id: Type.Optional(Type.String()),
    status: Type.Optional(RunStatus),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    offset: Type.Integer({ minimum: 0, default: 0 })
  }, { additionalProperties: false }),
  response: Type.Object({ runs: Type.Array(Run) })
})
export const CancelRun = defineEndpoint({ subject: 'kalla.runs.cancel.v1', request: Type.Object({ run_id: Type.String() }), response: Run })
