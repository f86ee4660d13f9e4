import Type, { type Static } from 'typebox'

export const Stages = ['staging', 'matching', 'writing_results'] as const
export const Stage = Type.Enum(Stages)
export type Stage = Static<typeof Stage>

/** Where a run failed: before any work (validating), in a work stage, or around it (dispatch). */
export const FailureStages = ['validating', ...Stages, 'dispatch'] as const
export const FailureStage = Type.Enum(FailureStages)
export type FailureStage = Static<typeof FailureStage>

const Count = Type.Integer({ minimum: 0 })
const At = Type.String({ format: 'date-time' })

/** Live progress of a run; `progress` is the fraction done of the current stage (and source, while staging). */
export const RunProgress = Type.Object({
  run_id: Type.String(),
  stage: Stage,
  source: Type.Optional(Type.String()),
  progress: Type.Number({ minimum: 0, maximum: 1 }),
  matched_count: Count,
  total_left: Count,
  total_right: Count,
  at: At
}, { additionalProperties: false })
export type RunProgress = Static<typeof RunProgress>

export const RunOutputs = Type.Object({
  matched: Type.String(),
  unmatched_left: Type.String(),
  unmatched_right: Type.String(),
  summary: Type.String(),
  /** Only a run with carried-over decisions: the records a decision settled (manual match or write-off). */
  decided_left: Type.Optional(Type.String()),
  decided_right: Type.Optional(Type.String()),
  /** Only an explained run: each unmatched record's nearest candidates and the conditions they failed. */
  explain_left: Type.Optional(Type.String()),
  explain_right: Type.Optional(Type.String())
}, { additionalProperties: false })
export type RunOutputs = Static<typeof RunOutputs>

export const RunCounts = Type.Object({
  matched_count: Count,
  matched_left: Count,
  matched_right: Count,
  unmatched_left_count: Count,
  unmatched_right_count: Count,
  total_left: Count,
  total_right: Count
}, { additionalProperties: false })
export type RunCounts = Static<typeof RunCounts>

export const StageTimings = Type.Object({
  staging: Type.Number({ minimum: 0 }),
  matching: Type.Number({ minimum: 0 }),
  writing_results: Type.Number({ minimum: 0 }),
  explaining: Type.Optional(Type.Number({ minimum: 0 })),
  total: Type.Number({ minimum: 0 })
}, { additionalProperties: false, description: 'Milliseconds spent in each stage' })
export type StageTimings = Static<typeof StageTimings>

/**
 * How a run's decisions (manual matches, unmatches, write-offs carried over from earlier runs) changed its
 * counts: matched_left = sql_matched_left + decision_matched_left, and
 * matched_left + unmatched_left_count + written_off_left = total_left (the same for right).
 */
export const DecisionCounts = Type.Object({
  sql_matched_left: Count,
  sql_matched_right: Count,
  decision_matched_left: Count,
  decision_matched_right: Count,
  written_off_left: Count,
  written_off_right: Count,
  /** Rows of the match SQL removed by unmatch decisions. */
  unmatched_by_decision: Count,
  /** Decisions of the job that named no record present in this run. */
  decisions_not_applied: Count
}, { additionalProperties: false })
export type DecisionCounts = Static<typeof DecisionCounts>

/** What a run's explanation of its unmatched records covers; `reason` says why there is none. */
export const ExplainSummary = Type.Object({
  available: Type.Boolean(),
  reason: Type.Optional(Type.String()),
  conditions: Type.Array(Type.String()),
  skipped: Type.Array(Type.Object({ condition: Type.String(), reason: Type.String() }, { additionalProperties: false })),
  explained_left: Count,
  explained_right: Count
}, { additionalProperties: false })
export type ExplainSummary = Static<typeof ExplainSummary>

/** A run finished: every count, and where its three result files and summary are. */
export const RunCompleted = Type.Object({
  run_id: Type.String(),
  ...RunCounts.properties,
  decisions: Type.Optional(DecisionCounts),
  explain: Type.Optional(ExplainSummary),
  outputs: RunOutputs,
  timings_ms: StageTimings,
  at: At
}, { additionalProperties: false })
export type RunCompleted = Static<typeof RunCompleted>

/** A run failed; `code` is stable (ENGINE_..., RUNS_...), `message` says what to fix. */
export const RunFailed = Type.Object({
  run_id: Type.String(),
  code: Type.String({ pattern: '^[A-Z][A-Z0-9_]*$' }),
  message: Type.String(),
  stage: FailureStage,
  at: At
}, { additionalProperties: false })
export type RunFailed = Static<typeof RunFailed>
