import type { Bus, Consumption } from '@kalla/bus'
import { RUNS_EVENTS_CONSUMER, RunEvents } from '@kalla/proto'
import type { RunsDeps } from '../domain/deps.ts'
import { recordEvent } from '../domain/record-event.ts'

/**
 * Records every run event durably; a database or publish failure hands the event back for a retry. A
 * redelivered event publishes the run's state again, in case it was recorded but its state not published.
 * So does a cancel request: the cancel endpoint has usually recorded it already, and may have lost the publish.
 */
export async function consumeRunEvents (bus: Bus, deps: RunsDeps): Promise<Consumption> {
  return await bus.consume(RunEvents, RUNS_EVENTS_CONSUMER, async (event, control) => {
    try {
      await recordEvent(deps, event, { republish: control.attempt > 1 || event.type === 'cancel_requested' })
      return { ack: true }
    } catch (error) {
      deps.log.error({ run_id: event.run_id, err: error }, 'recording a run event failed; retrying')
      return { nak: 2000 }
    }
  })
}
