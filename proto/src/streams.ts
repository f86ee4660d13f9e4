/**
 * A JetStream stream as data, so services, tests and deploy manifests agree on it.
 * Durations are milliseconds; `maxBytes` is the size limit of the whole stream.
 */
export interface StreamDefinition {
  readonly name: string
  readonly description: string
  readonly subjects: readonly string[]
  readonly retention: 'workqueue' | 'limits'
  readonly discard: 'old' | 'new'
  readonly maxAgeMs: number
  readonly maxBytes: number
  readonly duplicateWindowMs: number
  readonly storage: 'file' | 'memory'
  readonly replicas: number
}

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE
const MIB = 1024 * 1024

/**
 * Matching jobs, each removed once a matcher acknowledges it. The publisher uses the run id as
 * message id, so re-dispatching a run within the duplicate window cannot queue it twice.
 * A full queue rejects new jobs (discard 'new') rather than silently dropping queued ones.
 */
export const KALLA_JOBS = {
  name: 'KALLA_JOBS',
  description: 'Matching jobs waiting for a matcher (work queue)',
  subjects: ['kalla.jobs.>'],
  retention: 'workqueue',
  discard: 'new',
  maxAgeMs: 7 * DAY,
  maxBytes: 256 * MIB,
  duplicateWindowMs: 10 * MINUTE,
  storage: 'file',
  replicas: 1
} as const satisfies StreamDefinition

/**
 * Run progress, completion and failure, kept for a week whether or not anyone read them:
 * the runs service consumes them durably, live subscribers (the gateway) replay or tail them.
 */
export const KALLA_EVENTS = {
  name: 'KALLA_EVENTS',
  description: 'Run progress, completion and failure events',
  subjects: ['kalla.runs.events.>'],
  retention: 'limits',
  discard: 'old',
  maxAgeMs: 7 * DAY,
  maxBytes: 1024 * MIB,
  duplicateWindowMs: 2 * MINUTE,
  storage: 'file',
  replicas: 1
} as const satisfies StreamDefinition

/**
 * Each run's state as the runs service recorded it, published after every recorded change: what live
 * views (the gateway's subscriptions) follow instead of the raw events. Message ids are
 * `<run_id>@<updated_at>`, so publishing one state twice stores it once. A day is enough: a subscriber
 * reads the current state with GetRun and only needs what comes after.
 */
export const KALLA_RUNS = {
  name: 'KALLA_RUNS',
  description: 'Run states, published by the runs service after each recorded change',
  subjects: ['kalla.runs.updated.>'],
  retention: 'limits',
  discard: 'old',
  maxAgeMs: DAY,
  maxBytes: 256 * MIB,
  duplicateWindowMs: 2 * MINUTE,
  storage: 'file',
  replicas: 1
} as const satisfies StreamDefinition

export const STREAMS: readonly StreamDefinition[] = [KALLA_JOBS, KALLA_EVENTS, KALLA_RUNS]

/** The core subject on which JetStream announces a message that `durable` delivered its maximum number of times. */
export function deadLetterAdvisorySubject (stream: string, durable: string): string {
  return `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${durable}`
}
