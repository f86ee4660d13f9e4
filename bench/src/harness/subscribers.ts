import type { Client } from 'graphql-ws'
import type { Bus } from '@kalla/bus'
import { RunEvents } from '@kalla/proto'
import { followRun, wsClient, type ProgressStep } from './graphql.ts'

const key = (stage: string | null | undefined, progress: number | null | undefined, at: string): string => `${stage ?? ''}|${progress ?? ''}|${new Date(at).toISOString()}`

/**
 * Many websocket clients following one run, and one bus subscriber beside them: a step's delay is the
 * time from the bus delivering its event here (moments after the matcher published it) to a client
 * receiving it through the gateway. Only steps published after every client was set up count.
 */
export async function measureFanOut (bus: Bus, graphqlUrl: string, runId: string, clients: number): Promise<{ delays: number[], clients: { ready: number, failed: number }, done: Promise<void> }> {
  const published = new Map<string, number>()
  let setUpAt = Infinity
  const watch = await bus.subscribe(RunEvents, { subjectSuffix: runId, deliver: 'new' }, (event) => {
    if (event.type === 'progress') published.set(key(event.stage, event.progress, event.at), performance.now())
  })
  const delays: number[] = []
  const sockets: Client[] = []
  const state = { ready: 0, failed: 0 }
  const followers: Promise<void>[] = []
  const onStep = (first: { seen: boolean }) => (step: ProgressStep) => {
    const now = performance.now()
    if (!first.seen) { first.seen = true; state.ready++; return }
    const at = published.get(key(step.stage, step.progress, step.at))
    if (at !== undefined && at > setUpAt) delays.push(now - at)
  }
  for (let i = 0; i < clients; i++) {
    const socket = wsClient(graphqlUrl)
    sockets.push(socket)
    followers.push(followRun(socket, runId, onStep({ seen: false })).then(() => {}, () => { state.failed++ }))
  }
  const deadline = performance.now() + 120_000
  while (state.ready + state.failed < clients && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  setUpAt = performance.now()
  const done = Promise.all(followers).then(async () => {
    await watch.unsubscribe()
    await Promise.all(sockets.map((s) => s.dispose()))
  })
  return { delays, clients: state, done }
}
