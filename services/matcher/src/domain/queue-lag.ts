import type { FastifyBaseLogger } from 'fastify'
import type { Bus } from '@kalla/bus'
import { MATCHER_CONSUMER, MatchJobs } from '@kalla/proto'
import type { MatcherMetrics } from './metrics.ts'

/** Keeps the queue lag gauge current (autoscaling reads it); returns a function that stops it. */
export function watchQueueLag (bus: Bus, metrics: MatcherMetrics, intervalMs: number, log: FastifyBaseLogger): () => void {
  let failing = false
  const refresh = (): void => {
    bus.queueLag(MatchJobs, MATCHER_CONSUMER.durable).then((lag) => {
      metrics.queueLag.set(lag)
      failing = false
    }, (error: unknown) => {
      // Logged once per outage, not on every tick.
      if (!failing) log.warn({ err: error }, 'could not read the match queue lag')
      failing = true
    })
  }
  const timer = setInterval(refresh, intervalMs)
  timer.unref()
  refresh()
  return () => { clearInterval(timer) }
}
