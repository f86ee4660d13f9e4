import type { Bus } from '@kalla/bus'
import { forEachKeyPage, type EngineOptions } from '@kalla/engine'
import { RunEvents, type Job, type RunCompleted } from '@kalla/proto'

/** Keys per unmatched_keys event: about 50 kB for short keys, far below NATS' 1 MB payload. */
export const KEYS_PER_EVENT = 1000

/**
 * Publishes the run's unmatched keys of both sides, a page at a time, read from the local result files
 * before they are stored (and so before the completion). Message ids name run, side and page, so a
 * redelivered job publishes nothing new; the runs service records them so each record has an age.
 */
export async function publishUnmatchedKeys (bus: Bus, job: Job, local: RunCompleted, options: EngineOptions = {}, pageSize = KEYS_PER_EVENT): Promise<void> {
  for (const side of ['left', 'right'] as const) {
    const source = job.sources.find((s) => s.side === side)
    const path = local.outputs[`unmatched_${side}`]
    const keyColumns = source === undefined ? undefined : job.primary_keys[source.alias]
    if (path === undefined || keyColumns === undefined) continue
    await forEachKeyPage(path, keyColumns, pageSize, async (keys, page) => {
      const event = { type: 'unmatched_keys' as const, run_id: job.run_id, side, page, keys, at: new Date().toISOString() }
      await bus.publish(RunEvents, event, { subjectSuffix: job.run_id, msgId: `${job.run_id}:unmatched:${side}:${page}` })
    }, options)
  }
}
