import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/** How a delivery of a job ended. */
export type JobOutcome = 'completed' | 'already_completed' | 'failed' | 'cancelled' | 'retried' | 'abandoned'

export interface MatcherMetrics {
  running: Gauge
  duration: Histogram<'outcome'>
  jobs: Counter<'outcome'>
  queueLag: Gauge
}

/** The matcher's metrics, registered on the service's registry. */
export function createMatcherMetrics (registry: Registry): MatcherMetrics {
  const registers = [registry]
  return {
    running: new Gauge({ name: 'kalla_matcher_jobs_running', help: 'Jobs this matcher is running now', registers }),
    duration: new Histogram({
      name: 'kalla_matcher_job_duration_seconds',
      help: 'Time from receiving a job to settling it, by outcome',
      labelNames: ['outcome'],
      buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
      registers
    }),
    jobs: new Counter({ name: 'kalla_matcher_jobs_total', help: 'Job deliveries handled, by outcome', labelNames: ['outcome'], registers }),
    queueLag: new Gauge({ name: 'kalla_matcher_queue_lag', help: 'Match jobs not yet acknowledged (waiting plus in flight)', registers })
  }
}

export function recordOutcome (metrics: MatcherMetrics, outcome: JobOutcome, seconds: number): void {
  metrics.jobs.inc({ outcome })
  metrics.duration.observe({ outcome }, seconds)
}
