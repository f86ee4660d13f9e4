import type { Bus, Consumption } from '@kalla/bus'
import { RUNS_EVENTS_CONSUMER, RunEvents } from '@kalla/proto'
import type { RunsDeps } from '../domain/deps.ts'
import { recordEvent } from '../domain/record-event.ts'

/** Records every run event durably; a database failure hands the event back for a retry. */
export async function consumeRunEvents (bus: Bus, deps: RunsDeps): Promise<Consumption> {
  return await bus.consume(RunEvents, RUNS_EVENTS_CONSUMER, async (event) => {
    try {
      await recordEvent(deps, event)
      return { ack: true }
    } catch (error) {
      deps.log.error({ run_id: event.run_id, err: error }, 'recording a run event failed; retrying')
      return { nak: 2000 }
    }
  })
}
