import type { FastifyBaseLogger } from 'fastify'
import type { Bus } from '@kalla/bus'
import { RunEvents, type RunProgress } from '@kalla/proto'

export interface ProgressPublisher {
  report: (progress: RunProgress) => void
  /** Resolves once every progress event reported so far is published (or has failed). */
  flush: () => Promise<void>
}

/**
 * Publishes a run's progress as events: at most one per `intervalMs`, plus one whenever the stage or the
 * source being staged changes. Events go out one after another, so they keep their order, and the
 * engine never waits for the bus; a progress event that cannot be published is only logged.
 */
export function progressPublisher (bus: Bus, runId: string, intervalMs: number, log: FastifyBaseLogger): ProgressPublisher {
  let lastStep = ''
  let lastAt = -Infinity
  let queue: Promise<void> = Promise.resolve()
  return {
    report: (progress) => {
      const step = `${progress.stage}/${progress.source ?? ''}`
      const now = performance.now()
      if (step === lastStep && now - lastAt < intervalMs) return
      lastStep = step
      lastAt = now
      queue = queue.then(async () => {
        await bus.publish(RunEvents, { type: 'progress', ...progress }, { subjectSuffix: runId })
      }).catch((error: unknown) => { log.warn({ err: error, stage: progress.stage }, 'a progress event could not be published') })
    },
    flush: async () => { await queue }
  }
}
