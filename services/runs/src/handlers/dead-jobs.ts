import type { Bus, Subscription } from '@kalla/bus'
import { MATCHER_CONSUMER, MatchJobs, TERMINAL_STATUSES } from '@kalla/proto'
import type { RunsDeps } from '../domain/deps.ts'
import { recordEvent } from '../domain/record-event.ts'

/**
 * A job every matcher that took it stopped on (killed, out of memory) is not offered again: JetStream
 * announces it, and its run is failed at once with the reason, instead of waiting for the stall sweep.
 * The job stays in KALLA_JOBS (until its maximum age) for inspection at the sequence logged here.
 */
export async function failDeadJobs (bus: Bus, deps: RunsDeps): Promise<Subscription> {
  return await bus.deadLetters(MatchJobs, MATCHER_CONSUMER.durable, async (job, { seq, deliveries }) => {
    deps.log.warn({ run_id: job.run_id, stream_seq: seq, deliveries }, 'a match job ran out of deliveries; its run is failed')
    await recordEvent(deps, {
      type: 'failed',
      run_id: job.run_id,
      code: 'RUNS_JOB_ABANDONED',
      message: `The run was started ${deliveries} times and each time its matcher stopped before finishing (it may have run out of memory or been restarted). Start it again; if it keeps failing, give the matcher more memory or split the data.`,
      stage: 'dispatch',
      at: new Date().toISOString()
    }, { onlyIf: (current) => !TERMINAL_STATUSES.has(current.status) })
  })
}
