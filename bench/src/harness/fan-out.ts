import type { Bus } from '@kalla/bus'
import { RunUpdates } from '@kalla/proto'
import { epochNow, fanOutResult, followMany, stepKey, type FanOutResult } from './subscribers.ts'

/**
 * Records when each state of `runId` is published by the runs service, as a bus subscriber in the bench
 * process hears it (moments after the publisher sent it), keyed as a client will see the step.
 */
export async function watchPublished (bus: Bus, runId: string): Promise<{ published: Map<string, number>, stop: () => Promise<void> }> {
  const published = new Map<string, number>()
  const watch = await bus.subscribe(RunUpdates, { subjectSuffix: runId, deliver: 'new' }, (run) => {
    published.set(stepKey(run.stage, run.progress, run.updated_at), epochNow())
  })
  return { published, stop: watch.unsubscribe }
}

/**
 * Kalla's fan-out: `clients` subscribers follow a run queued behind another (`start` queues both), so
 * every one of them is set up before it starts; resolves when both runs ended and every client is done.
 */
export async function kallaFanOut (bus: Bus, graphqlUrl: string, clients: number, start: () => Promise<{ measured: string, untilBlockerEnds: () => Promise<unknown> }>): Promise<FanOutResult> {
  const { measured, untilBlockerEnds } = await start()
  const watch = await watchPublished(bus, measured)
  try {
    const followers = await followMany(graphqlUrl, measured, clients)
    await untilBlockerEnds()
    return fanOutResult(watch.published, followers.setUpAt, await followers.done)
  } finally {
    await watch.stop()
  }
}

/** The bare baseline's fan-out (children/bare-fan-out.ts): the same clients, `steps` published `intervalMs` apart. */
export async function bareFanOut (baseUrl: string, clients: number, steps: number, intervalMs: number): Promise<FanOutResult> {
  const runId = `bare-${Math.random().toString(36).slice(2, 10)}`
  const followers = await followMany(`${baseUrl}/graphql`, runId, clients)
  const t0 = Date.now()
  const payload = Array.from({ length: steps }, (_, i) => {
    const last = i === steps - 1
    return { runId, status: last ? 'COMPLETED' : 'MATCHING', stage: last ? null : 'matching', source: null, progress: last ? 1 : i / steps, at: new Date(t0 + i).toISOString() }
  })
  const response = await fetch(`${baseUrl}/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ steps: payload, intervalMs }) })
  const { published } = await response.json() as { published: number[] }
  const keys = new Map(payload.map((s, i) => [stepKey(s.stage, s.progress, s.at), published[i] ?? 0]))
  return fanOutResult(keys, followers.setUpAt, await followers.done)
}
