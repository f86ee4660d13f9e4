import type { Bus } from '@kalla/bus'
import { MATCHER_CONSUMER, MatchJobs } from '@kalla/proto'
import type { MatcherDeps } from '../domain/deps.ts'
import { processJob } from '../domain/process-job.ts'

// After handing jobs back, their handlers still remove their work directories; this long at most.
const CLEANUP_MS = 5_000

export interface Matching {
  /**
   * Stops taking jobs and waits up to `graceMs` for those in flight; past that they are handed back to
   * the queue (another replica takes them at once) and their engines are interrupted.
   */
  stop: () => Promise<void>
}

/** Runs match jobs from the shared durable consumer, `concurrency` at a time. */
export async function consumeMatchJobs (bus: Bus, deps: MatcherDeps, options: { concurrency: number, ackWaitMs?: number, graceMs: number }): Promise<Matching> {
  const running = new Map<Promise<unknown>, string>()
  const consumption = await bus.consume(MatchJobs, { ...MATCHER_CONSUMER, concurrency: options.concurrency, ackWaitMs: options.ackWaitMs ?? MATCHER_CONSUMER.ackWaitMs }, async (job, control) => {
    const work = processJob(deps, job, control)
    running.set(work, job.run_id)
    try {
      return await work
    } finally {
      running.delete(work)
    }
  })
  return {
    stop: async () => {
      if (await settlesWithin(consumption.stop(), options.graceMs)) return
      deps.log.warn({ run_ids: [...running.values()], grace_ms: options.graceMs }, 'shutdown grace ran out; handing the jobs in flight back to the queue')
      await consumption.stop({ abandon: true })
      await settlesWithin(Promise.allSettled([...running.keys()]), CLEANUP_MS)
    }
  }
}

/** True when `work` settles within `ms`; either way it is never left unobserved. */
async function settlesWithin (work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<false>((resolve) => { timer = setTimeout(() => { resolve(false) }, ms) })
  try {
    return await Promise.race([work.then(() => true, () => true), expired])
  } finally {
    clearTimeout(timer)
  }
}
