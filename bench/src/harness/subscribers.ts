import type { Client } from 'graphql-ws'
import { followRun, wsClient, type ProgressStep } from './graphql.ts'
import { quantile } from './stats.ts'

/** A moment comparable across processes on this machine: epoch milliseconds, sub-millisecond. */
export const epochNow = (): number => performance.timeOrigin + performance.now()

/** How a step is recognised on both sides: by what it says, not by when it came. */
export const stepKey = (stage: string | null | undefined, progress: number | null | undefined, at: string): string => `${stage ?? ''}|${progress ?? ''}|${new Date(at).toISOString()}`

/** What one follower saw: when each step arrived, and how its subscription ended. */
interface Follower { received: Map<string, number>, last: string, failed: boolean }

/** Many websocket clients following one run: the moment they were all set up, and their followers. */
export interface Followers { setUpAt: number, ready: number, failed: number, done: Promise<Follower[]> }

/**
 * Opens `clients` graphql-ws clients, each on its own websocket, following `runId`'s progress, and
 * resolves once every one has had its first step (the run's state), so every step published after
 * `setUpAt` should reach all of them. `done` resolves when every subscription has ended.
 */
export async function followMany (graphqlUrl: string, runId: string, clients: number, timeoutMs = 120_000): Promise<Followers> {
  const sockets: Client[] = []
  const followers: Follower[] = []
  const state = { ready: 0, failed: 0 }
  const ends: Promise<void>[] = []
  for (let i = 0; i < clients; i++) {
    const socket = wsClient(graphqlUrl)
    const follower: Follower = { received: new Map(), last: '', failed: false }
    let first = true
    const onStep = (step: ProgressStep): void => {
      const at = epochNow()
      if (first) { first = false; state.ready++; return }
      follower.received.set(stepKey(step.stage, step.progress, step.at), at)
    }
    sockets.push(socket)
    followers.push(follower)
    ends.push(followRun(socket, runId, onStep).then((last) => { follower.last = last }, () => { follower.failed = true; state.failed++ }))
  }
  const deadline = performance.now() + timeoutMs
  while (state.ready + state.failed < clients && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  const setUpAt = epochNow()
  const done = Promise.all(ends).then(async () => {
    await Promise.all(sockets.map(async (s) => { await s.dispose() }))
    return followers
  })
  return { setUpAt, ...state, done }
}

/** Delivery delays of a fan-out, and whether every client got every step and the completion. */
export interface FanOutResult { delays: number[], steps: number, clients: number, failed: number, complete: number, p50: number, p99: number, max: number }

/**
 * Every (client, step) pair's delay from the step's publication to its receipt, for the steps published
 * after the clients were set up; a client is complete when it received each of those and ended COMPLETED.
 */
export function fanOutResult (published: ReadonlyMap<string, number>, setUpAt: number, followers: readonly Follower[]): FanOutResult {
  const counted = [...published].filter(([, at]) => at > setUpAt)
  const delays: number[] = []
  let complete = 0
  for (const follower of followers) {
    let all = !follower.failed && follower.last === 'COMPLETED'
    for (const [key, at] of counted) {
      const received = follower.received.get(key)
      if (received === undefined) all = false
      else delays.push(received - at)
    }
    if (all) complete++
  }
  const round = (x: number): number => Math.round(x * 10) / 10
  return { delays, steps: counted.length, clients: followers.length, failed: followers.filter((f) => f.failed).length, complete, p50: round(quantile(delays, 0.5)), p99: round(quantile(delays, 0.99)), max: round(quantile(delays, 1)) }
}
