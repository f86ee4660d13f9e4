// Baseline of scenario 5's fan-out: bare Mercurius subscriptions on Kalla's schema, `runProgress` fed by
// one in-memory pubsub topic. A subscriber first gets the run's state, then every step published, and
// completes after a terminal one. POST /publish {steps, intervalMs} publishes the steps one by one and
// answers with the moment each was published (epoch ms, sub-millisecond), for the bench to measure
// delivery delays against.
import Fastify from 'fastify'
import mercurius from 'mercurius'
import { bareSchema, listenAddress } from './bare-schema.ts'

interface Step { runId: string, status: string, stage: string | null, source: string | null, progress: number | null, at: string }

const TOPIC = 'run-progress'
const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED'])
const now = (): number => performance.timeOrigin + performance.now()
const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

const app = Fastify()
await app.register(mercurius, {
  subscription: true,
  schema: bareSchema({
    Subscription: {
      runProgress: {
        subscribe: async (_: unknown, { runId }: { runId: string }, { pubsub }: { pubsub: { subscribe: (topic: string) => Promise<AsyncIterable<Step>> } }) => {
          const queue = await pubsub.subscribe(TOPIC)
          return follow(runId, queue)
        },
        resolve: (step: Step) => step
      }
    }
  })
})

async function * follow (runId: string, queue: AsyncIterable<Step>): AsyncGenerator<Step> {
  yield { runId, status: 'SUBMITTED', stage: null, source: null, progress: null, at: new Date().toISOString() }
  for await (const step of queue) {
    yield step
    if (TERMINAL.has(step.status)) return
  }
}

app.post<{ Body: { steps: Step[], intervalMs: number } }>('/publish', async (request) => {
  const published: number[] = []
  for (const step of request.body.steps) {
    await sleep(request.body.intervalMs)
    published.push(now())
    await app.graphql.pubsub.publish({ topic: TOPIC, payload: step })
  }
  return { published }
})
app.get('/readyz', async () => ({ ok: true }))
process.once('SIGTERM', () => { app.close().then(() => process.exit(0), () => process.exit(1)) })
await app.listen(listenAddress())
