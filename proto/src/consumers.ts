import { KALLA_EVENTS, KALLA_JOBS } from './streams.ts'
import { MatchJobs, RunEvents } from './topics.ts'
import { topicFilter } from './transport.ts'

/**
 * The settings of a durable consumer, shared by the service that consumes and by deploy
 * (autoscaling reads the stream and durable name). Durations are milliseconds.
 * `backoffMs[n]` is the delay before retrying after failed attempt n + 1 (the last value repeats).
 */
export interface ConsumerDefinition {
  readonly stream: string
  readonly durable: string
  readonly filterSubject: string
  readonly ackWaitMs: number
  readonly maxDeliver: number
  readonly backoffMs: readonly number[]
  readonly concurrency: number
}

/**
 * The delay before the attempt after failed attempt `attempt` (1-based): `backoffMs[attempt - 1]`,
 * the last value repeating; `fallbackMs` when the list is empty.
 * @example retryDelayMs([10_000, 60_000], 5) // 60_000
 */
export function retryDelayMs (backoffMs: readonly number[], attempt: number, fallbackMs = 10_000): number {
  return backoffMs[Math.min(Math.max(attempt, 1), backoffMs.length) - 1] ?? fallbackMs
}

/**
 * Matchers share one durable consumer, one job at a time each: a job is heavy, scale by replicas.
 * A matcher calls working() well within ackWaitMs; a job that failed three times is poison.
 */
export const MATCHER_CONSUMER = {
  stream: KALLA_JOBS.name,
  durable: 'matcher',
  filterSubject: topicFilter(MatchJobs),
  ackWaitMs: 15_000,
  maxDeliver: 3,
  backoffMs: [10_000, 60_000],
  concurrency: 1
} as const satisfies ConsumerDefinition

/**
 * The runs service records every run event. One at a time keeps a run's events in publish order
 * in the common case; redeliveries can still reorder them, so recording must be idempotent.
 */
export const RUNS_EVENTS_CONSUMER = {
  stream: KALLA_EVENTS.name,
  durable: 'runs-events',
  filterSubject: topicFilter(RunEvents),
  ackWaitMs: 30_000,
  maxDeliver: 10,
  backoffMs: [1_000, 5_000, 30_000],
  concurrency: 1
} as const satisfies ConsumerDefinition

export const CONSUMERS: readonly ConsumerDefinition[] = [MATCHER_CONSUMER, RUNS_EVENTS_CONSUMER]
