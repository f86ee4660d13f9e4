import Type, { type Static } from 'typebox'
import { Job } from './job.ts'
import { RecordKey } from './services/exceptions.ts'
import { Side } from './recipe.ts'
import { RunCompleted, RunFailed, RunProgress } from './events.ts'
import { Run } from './services/runs.ts'
import { KALLA_EVENTS, KALLA_JOBS, KALLA_RUNS } from './streams.ts'
import { defineTopic } from './transport.ts'

/** A job for the matcher; published with the run id as message id. */
export const MatchJobs = defineTopic({ subject: 'kalla.jobs.match.v1', schema: Job, stream: KALLA_JOBS.name })

/** Anything that happened to a run, told apart by `type`. */
export const RunEvent = Type.Union([
  Type.Object({ type: Type.Literal('progress'), ...RunProgress.properties }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('completed'), ...RunCompleted.properties }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('failed'), ...RunFailed.properties }, { additionalProperties: false }),
  // One page of a run's unmatched keys of one side, published before its completion; the runs service
  // records them so that each record has an age (first seen, number of completed runs unmatched).
  Type.Object({ type: Type.Literal('unmatched_keys'), run_id: Type.String(), side: Side, page: Type.Integer({ minimum: 0 }), keys: Type.Array(RecordKey, { maxItems: 1000 }), at: Type.String({ format: 'date-time' }) }, { additionalProperties: false }),
  // Asks whoever runs the job to stop it; the run itself is recorded as cancelled by the runs service.
  Type.Object({ type: Type.Literal('cancel_requested'), run_id: Type.String(), at: Type.String({ format: 'date-time' }) }, { additionalProperties: false })
])
export type RunEvent = Static<typeof RunEvent>

/** Run events, each on `kalla.runs.events.v1.<run_id>` so a subscriber can follow one run. */
export const RunEvents = defineTopic({ subject: 'kalla.runs.events.v1', schema: RunEvent, stream: KALLA_EVENTS.name, suffixed: true })

/**
 * A run's new state, published by the runs service only after it has recorded it (so a `GetRun` made on
 * receipt sees at least this state), on `kalla.runs.updated.v1.<run_id>`. States are ordered by `updated_at`.
 */
export const RunUpdates = defineTopic({ subject: 'kalla.runs.updated.v1', schema: Run, stream: KALLA_RUNS.name, suffixed: true })
