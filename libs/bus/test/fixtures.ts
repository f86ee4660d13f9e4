import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Test } from 'tap'
import Type from 'typebox'
import { KALLA_EVENTS, KALLA_JOBS, defineEndpoint, defineTopic } from '@kalla/proto'
import { BusError, type Bus, type ConsumeOptions } from '../src/index.ts'

/** What the contract suite needs from an implementation besides the bus itself. */
export interface Harness {
  bus: Bus
  /** Live subscriptions still attached on the server side (NATS) or inside the bus (memory). */
  liveConsumers: (stream: string) => Promise<number>
  /** Client-side subscriptions, for an implementation that has them. */
  clientSubscriptions?: () => number
  /** Deletes the streams a test created. */
  removeStreams: (names: string[]) => Promise<void>
}

export type HarnessFactory = () => Promise<Harness>

export const EchoRequest = Type.Object({
  text: Type.String({ minLength: 1 }),
  delayMs: Type.Optional(Type.Integer({ minimum: 0 }))
}, { additionalProperties: false })
export const EchoResponse = Type.Object({ text: Type.String(), by: Type.String() }, { additionalProperties: false })

export const Work = Type.Object({ id: Type.String(), holdMs: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false })
export const Happened = Type.Object({ run_id: Type.String(), n: Type.Integer() }, { additionalProperties: false })

/** Contracts and streams under a random name, so tests never share state with each other or a previous run. */
export function contracts (id: string) {
  const prefix = `kalla.test${id}`
  const jobsStream = { ...KALLA_JOBS, name: `TEST_${id.toUpperCase()}_JOBS`, subjects: [`${prefix}.jobs.>`] }
  const eventsStream = { ...KALLA_EVENTS, name: `TEST_${id.toUpperCase()}_EVENTS`, subjects: [`${prefix}.events.>`] }
  const echo = defineEndpoint({ subject: `${prefix}.echo.v1`, request: EchoRequest, response: EchoResponse })
  return {
    streams: [jobsStream, eventsStream],
    echo,
    // A caller built against a looser contract than the server's: the way an invalid request reaches a server.
    looseEcho: defineEndpoint({ subject: echo.subject, request: Type.Unknown(), response: EchoResponse }),
    nobody: defineEndpoint({ subject: `${prefix}.nobody.v1`, request: EchoRequest, response: EchoResponse }),
    jobs: defineTopic({ subject: `${prefix}.jobs.work.v1`, schema: Work, stream: jobsStream.name }),
    looseJobs: defineTopic({ subject: `${prefix}.jobs.work.v1`, schema: Type.Unknown(), stream: jobsStream.name }),
    events: defineTopic({ subject: `${prefix}.events.v1`, schema: Happened, stream: eventsStream.name, suffixed: true }),
    unstored: defineTopic({ subject: `${prefix}.elsewhere.v1`, schema: Work, stream: `TEST_${id.toUpperCase()}_NONE` })
  }
}

export type Contracts = ReturnType<typeof contracts>

/** A harness with fresh streams, closed and cleaned up when the test ends. */
export async function setup (t: Test, factory: HarnessFactory): Promise<Harness & { c: Contracts }> {
  const harness = await factory()
  const c = contracts(randomUUID().replaceAll('-', '').slice(0, 10))
  t.teardown(async () => {
    await harness.bus.close()
    await harness.removeStreams(c.streams.map((s) => s.name))
  })
  await harness.bus.ensureStreams(c.streams)
  return { ...harness, c }
}

/** Ack-wait and retry delays small enough for the whole suite to run in seconds. */
export const quick: ConsumeOptions = { durable: 'worker', concurrency: 1, ackWaitMs: 1_000, maxDeliver: 5, backoffMs: [100] }

/** Resolves once `condition` holds, failing after `timeoutMs`. */
export async function until (condition: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

export { sleep }

/** An error as a handler in a service would throw it. */
export function coded (code: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code }, extra)
}

/** The BusError `promise` rejects with; fails the test when it resolves or rejects with anything else. */
export async function rejection (promise: Promise<unknown>): Promise<BusError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof BusError) return error
    throw error
  }
  throw new Error('expected the promise to reject with a BusError')
}
