import Type, { type Static } from 'typebox'
import { Side } from '../recipe.ts'
import { defineEndpoint } from '../transport.ts'
import { Timestamp } from './common.ts'

/** A record's primary-key values as text, in the order of the recipe's primary_key. */
export const RecordKey = Type.Array(Type.String({ maxLength: 1000 }), { minItems: 1, maxItems: 16 })
export type RecordKey = Static<typeof RecordKey>

export const RecordRef = Type.Object({ side: Side, key: RecordKey }, { additionalProperties: false })
export type RecordRef = Static<typeof RecordRef>

/** Who made a change, as the gateway identified them (never a credential). */
export const DecisionActor = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), id: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false })
export type DecisionActor = Static<typeof DecisionActor>

export const DecisionKinds = ['manual_match', 'unmatch'] as const
export const DecisionKind = Type.Enum(DecisionKinds)
export type DecisionKind = Static<typeof DecisionKind>
export const DecisionStatuses = ['pending', 'effective', 'rejected', 'revoked'] as const
export const DecisionStatus = Type.Enum(DecisionStatuses)
export type DecisionStatus = Static<typeof DecisionStatus>

const Keys = Type.Array(RecordKey, { minItems: 1, maxItems: 1000 })
const Reason = Type.String({ minLength: 1, maxLength: 2000 })

/** A manual match (a group of left and right records) or an unmatch (a group the SQL matched, to be kept apart). */
export const Decision = Type.Object({
  decision_id: Type.String(),
  recipe_id: Type.String(),
  kind: DecisionKind,
  left: Keys,
  right: Keys,
  reason: Type.String(),
  status: DecisionStatus,
  run_id: Type.Optional(Type.String()),
  created_by: DecisionActor,
  created_at: Timestamp,
  reviewed_by: Type.Optional(DecisionActor),
  reviewed_at: Type.Optional(Timestamp)
}, { additionalProperties: false })
export type Decision = Static<typeof Decision>

export const ExceptionStates = ['open', 'investigating', 'resolved'] as const
export const ExceptionState = Type.Enum(ExceptionStates)
export type ExceptionState = Static<typeof ExceptionState>
export const Resolutions = ['matched_manually', 'written_off', 'timing', 'data_corrected'] as const
export const Resolution = Type.Enum(Resolutions)
export type Resolution = Static<typeof Resolution>

export const ExceptionComment = Type.Object({ author: DecisionActor, body: Type.String(), at: Timestamp }, { additionalProperties: false })
export type ExceptionComment = Static<typeof ExceptionComment>

/** The workflow state of one record; a record nobody acted on is `open` with no row behind it. */
export const ExceptionRecord = Type.Object({
  recipe_id: Type.String(),
  side: Side,
  key: RecordKey,
  state: ExceptionState,
  resolution: Type.Optional(Resolution),
  /** Under four-eyes a write-off is pending until a second person approves it. */
  write_off_status: Type.Optional(Type.Enum(['pending', 'effective', 'rejected'])),
  assignee: Type.Optional(Type.String()),
  due_date: Type.Optional(Type.String({ format: 'date' })),
  comments: Type.Array(ExceptionComment),
  updated_by: Type.Optional(DecisionActor),
  updated_at: Type.Optional(Timestamp),
  /** Age: when the first completed run in which the record was unmatched was started, and that run. */
  first_seen_at: Type.Optional(Timestamp),
  first_seen_run_id: Type.Optional(Type.String()),
  /** Completed runs of the recipe in which the record was unmatched, consecutive or not. */
  runs_unmatched: Type.Optional(Type.Integer({ minimum: 0 }))
}, { additionalProperties: false })
export type ExceptionRecord = Static<typeof ExceptionRecord>

/** What one change sets; fields left out stay as they are (null clears assignee or due date). */
export const ExceptionChange = Type.Object({
  state: Type.Optional(ExceptionState),
  resolution: Type.Optional(Resolution),
  assignee: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
  due_date: Type.Optional(Type.Union([Type.String({ format: 'date' }), Type.Null()])),
  comment: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 }))
}, { additionalProperties: false })
export type ExceptionChange = Static<typeof ExceptionChange>

/** The most records one bulk change may touch. */
export const MAX_BULK_RECORDS = 10_000

export const RecordDecision = defineEndpoint({
  subject: 'kalla.runs.decisions.record.v1',
  request: Type.Object({ recipe_id: Type.String(), kind: DecisionKind, left: Keys, right: Keys, reason: Reason, run_id: Type.Optional(Type.String()), actor: DecisionActor }, { additionalProperties: false }),
  response: Decision
})
export const ReviewDecision = defineEndpoint({
  subject: 'kalla.runs.decisions.review.v1',
  request: Type.Object({ decision_id: Type.String(), approve: Type.Boolean(), actor: DecisionActor }, { additionalProperties: false }),
  response: Decision
})
export const RevokeDecision = defineEndpoint({
  subject: 'kalla.runs.decisions.revoke.v1',
  request: Type.Object({ decision_id: Type.String(), reason: Reason, actor: DecisionActor }, { additionalProperties: false }),
  response: Decision
})
export const ListDecisions = defineEndpoint({
  subject: 'kalla.runs.decisions.list.v1',
  request: Type.Object({ recipe_id: Type.String(), status: Type.Optional(DecisionStatus), limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }), offset: Type.Integer({ minimum: 0, default: 0 }) }, { additionalProperties: false }),
  response: Type.Object({ decisions: Type.Array(Decision) })
})
export const UpdateExceptions = defineEndpoint({
  subject: 'kalla.runs.exceptions.update.v1',
  request: Type.Object({ recipe_id: Type.String(), records: Type.Array(RecordRef, { minItems: 1, maxItems: MAX_BULK_RECORDS }), change: ExceptionChange, actor: DecisionActor }, { additionalProperties: false }),
  response: Type.Object({ updated: Type.Integer({ minimum: 0 }), exceptions: Type.Array(ExceptionRecord) })
})
export const ReviewWriteOff = defineEndpoint({
  subject: 'kalla.runs.exceptions.review-write-off.v1',
  request: Type.Object({ recipe_id: Type.String(), record: RecordRef, approve: Type.Boolean(), actor: DecisionActor }, { additionalProperties: false }),
  response: ExceptionRecord
})
export const GetExceptions = defineEndpoint({
  subject: 'kalla.runs.exceptions.get.v1',
  request: Type.Object({ recipe_id: Type.String(), records: Type.Array(RecordRef, { maxItems: MAX_BULK_RECORDS }) }, { additionalProperties: false }),
  response: Type.Object({ exceptions: Type.Array(ExceptionRecord) })
})
export const ListExceptions = defineEndpoint({
  subject: 'kalla.runs.exceptions.list.v1',
  request: Type.Object({
    recipe_id: Type.String(),
    side: Type.Optional(Side),
    state: Type.Optional(ExceptionState),
    assignee: Type.Optional(Type.String()),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
    offset: Type.Integer({ minimum: 0, default: 0 })
  }, { additionalProperties: false }),
  response: Type.Object({ exceptions: Type.Array(ExceptionRecord) })
})

/** The most keys one ListExceptionKeys page holds. */
export const MAX_EXCEPTION_KEYS_PAGE = 10_000

/**
 * The keys of one side's records of a recipe whose stored state passes a filter, in record-key order, paged
 * by the last key seen (`after`, as a page's `last`). `state` and `assignee` keep rows that have them;
 * `not_state` keeps rows whose state differs (a record without a row is open and never listed). Only keys,
 * so a caller can narrow a result file to them without reading every record's state.
 */
export const ListExceptionKeys = defineEndpoint({
  subject: 'kalla.runs.exceptions.keys.v1',
  request: Type.Object({
    recipe_id: Type.String(),
    side: Side,
    state: Type.Optional(ExceptionState),
    not_state: Type.Optional(ExceptionState),
    assignee: Type.Optional(Type.String({ maxLength: 200 })),
    after: Type.Optional(RecordKey),
    limit: Type.Integer({ minimum: 1, maximum: MAX_EXCEPTION_KEYS_PAGE, default: 1000 })
  }, { additionalProperties: false }),
  response: Type.Object({ keys: Type.Array(RecordKey), more: Type.Boolean() })
})

export const RecipeSettings = Type.Object({ recipe_id: Type.String(), four_eyes: Type.Boolean() }, { additionalProperties: false })
export type RecipeSettings = Static<typeof RecipeSettings>
export const SetRecipeSettings = defineEndpoint({
  subject: 'kalla.runs.settings.set.v1',
  request: Type.Object({ recipe_id: Type.String(), four_eyes: Type.Boolean(), actor: DecisionActor }, { additionalProperties: false }),
  response: RecipeSettings
})
export const GetRecipeSettings = defineEndpoint({ subject: 'kalla.runs.settings.get.v1', request: Type.Object({ recipe_id: Type.String() }, { additionalProperties: false }), response: RecipeSettings })
