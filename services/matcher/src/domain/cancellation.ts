import type { FastifyBaseLogger } from 'fastify'
import type { Bus } from '@kalla/bus'
import { RunEvents } from '@kalla/proto'

/**
 * Follows the run's events for as long as its job runs: a cancel_requested event, whether already in
 * the stream before the job started or arriving later, aborts `controller`.
 */
export async function watchCancellation (bus: Bus, runId: string, controller: AbortController, log: FastifyBaseLogger): Promise<{ stop: () => Promise<void> }> {
  const subscription = await bus.subscribe(RunEvents, { subjectSuffix: runId, deliver: 'all' }, (event) => {
    if (event.type !== 'cancel_requested' || controller.signal.aborted) return
    log.info('cancellation requested; stopping the run')
    controller.abort()
  })
  return {
    stop: async () => {
      await subscription.unsubscribe().catch((error: unknown) => { log.warn({ err: error }, 'could not end the cancellation watch') })
    }
  }
}
