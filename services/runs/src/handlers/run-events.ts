import { setTimeout as sleep } from 'node:timers/promises'
import type { Bus, Consumption, DeliveryControl } from '@kalla/bus'
import { RUNS_EVENTS_CONSUMER, RunEvents } from '@kalla/proto'
import { pruneSightings, recordSightings } from '../db/ages-repository.ts'
import type { RunsDeps } from '../domain/deps.ts'
import { recordEvent } from '../domain/record-event.ts'

// How often an event waiting for the database tries again.
const DATABASE_RETRY_MS = 1000

/**
 * Records every run event durably (a page of unmatched keys as the records' sightings, for their ages,
 * pruned once a run's completion and all its pages are in); a publish failure, or a failure of this event while the database
 * answers, hands the event back for a retry. While the database cannot be reached the event waits here,
 * its delivery kept alive, until it can: handing it back would use up its deliveries within seconds, and
 * an outage longer than that (a failover) would silently drop events, a run's completion among them.
 * A redelivered event publishes the run's state again, in case it was recorded but its state not published.
 * So does a cancel request: the cancel endpoint has usually recorded it already, and may have lost the publish.
 */
export async function consumeRunEvents (bus: Bus, deps: RunsDeps, databaseReady: () => Promise<void>): Promise<Consumption> {
  const stopping = new AbortController()
  const consumption = await bus.consume(RunEvents, RUNS_EVENTS_CONSUMER, async (event, control) => {
    const signal = AbortSignal.any([stopping.signal, control.signal])
    for (let waited = false; ; waited = true) {
      try {
        if (event.type === 'unmatched_keys') await recordSightings(deps.db, event.run_id, event.side, event.keys)
        else await recordEvent(deps, event, { republish: control.attempt > 1 || event.type === 'cancel_requested' })
        if (event.type === 'unmatched_keys' || event.type === 'completed') await pruneSightings(deps.db, event.run_id)
        if (waited) deps.log.info({ run_id: event.run_id }, 'the database is back; the waiting run event is recorded')
        return { ack: true }
      } catch (error) {
        if (signal.aborted || await answers(databaseReady)) {
          deps.log.error({ run_id: event.run_id, err: error }, 'recording a run event failed; retrying')
          return { nak: 2000 }
        }
        if (!waited) deps.log.warn({ run_id: event.run_id, err: error }, 'the database cannot be reached; the run event waits for it')
        await waitForDatabase(control, signal)
      }
    }
  })
  return {
    stop: async (options) => {
      stopping.abort()
      await consumption.stop(options)
    }
  }
}

async function answers (databaseReady: () => Promise<void>): Promise<boolean> {
  return await databaseReady().then(() => true, () => false)
}

async function waitForDatabase (control: DeliveryControl, signal: AbortSignal): Promise<void> {
  control.working()
  await sleep(DATABASE_RETRY_MS, undefined, { signal }).catch(() => {})
}
