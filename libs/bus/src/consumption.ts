import { setTimeout as sleep } from 'node:timers/promises'
import { retryDelayMs, type Topic } from '@kalla/proto'
import { decode, summary } from './codec.ts'
import type { BusLogger, ConsumeHandler, Consumption, DeliveryControl, Outcome } from './types.ts'

/** One delivery of a stored message to a durable consumer, as either transport hands it over. */
export interface Delivery {
  readonly data: Uint8Array | string
  readonly subject: string
  readonly attempt: number
  ack: () => void
  nak: (delayMs: number) => void
  term: (reason: string) => void
  working: () => void
}

/** Where a consumption's workers pull deliveries from. */
export interface DeliverySource {
  /** The next delivery, or null when the wait ended without one (expiry, or close()). Rejects on transport failures. */
  next: () => Promise<Delivery | null>
  /** Ends every pending next() with null; deliveries already handed out can still be settled. */
  close: () => void
  /** Resolves once every settlement sent so far has reached the server. */
  flush: () => Promise<void>
}

export const DEFAULT_BACKOFF_MS = [1_000, 5_000, 30_000] as const
const RETRY_AFTER_FAILURE_MS = 1_000
// A wait that ends without a delivery sooner than this is treated as a failure, so a transport that
// keeps answering "nothing" at once cannot spin a worker.
const MIN_EMPTY_WAIT_MS = 50

interface InFlight {
  delivery: Delivery
  settled: boolean
  abort: AbortController
}

interface Settings<T extends Topic> {
  topic: T
  handler: ConsumeHandler<T>
  concurrency: number
  maxDeliver: number
  backoffMs: readonly number[]
  logger: BusLogger
}

/** Runs `concurrency` workers over `source`, so never more handlers than that run at once. */
export function startConsumption<T extends Topic> (source: DeliverySource, settings: Settings<T>): Consumption {
  const inFlight = new Set<InFlight>()
  const stopping = new AbortController()

  const worker = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      const started = Date.now()
      let delivery: Delivery | null
      try {
        delivery = await source.next()
      } catch (error) {
        if (stopping.signal.aborted) break
        settings.logger.warn({ err: error, stream: settings.topic.stream }, 'fetching from the stream failed; retrying')
        await pause(stopping.signal)
        continue
      }
      if (delivery === null) {
        if (Date.now() - started < MIN_EMPTY_WAIT_MS) await pause(stopping.signal)
      } else if (stopping.signal.aborted) {
        // Fetched just as the consumption stopped: hand it straight back rather than start work.
        settle({ delivery, settled: false, abort: new AbortController() }, (d) => d.nak(0))
      } else {
        await handle(delivery, settings, inFlight)
      }
    }
  }
  const workers = Array.from({ length: Math.max(1, settings.concurrency) }, worker)

  let abandoned = false
  let graceful: Promise<void> | undefined
  return {
    stop: async (options = {}) => {
      stopping.abort()
      source.close()
      if (options.abandon === true) {
        abandoned = true
        for (const item of inFlight) settle(item, (d) => d.nak(0))
        for (const item of inFlight) item.abort.abort()
        await source.flush()
        return
      }
      if (abandoned) return
      graceful ??= Promise.all(workers).then(async () => await source.flush())
      await graceful
    }
  }
}

async function handle<T extends Topic> (delivery: Delivery, settings: Settings<T>, inFlight: Set<InFlight>): Promise<void> {
  const item: InFlight = { delivery, settled: false, abort: new AbortController() }
  const decoded = decode<T['schema']>(settings.topic.schema, delivery.data)
  if (!decoded.ok) {
    // A message that does not fit its contract will not fit on the next attempt either.
    settings.logger.warn({ subject: delivery.subject, problems: decoded.problems }, 'terminating a message that does not match its contract')
    settle(item, (d) => d.term(`invalid message: ${summary(decoded.problems)}`.slice(0, 1000)))
    return
  }
  const control: DeliveryControl = {
    working: () => { if (!item.settled) delivery.working() },
    attempt: delivery.attempt,
    maxDeliver: settings.maxDeliver,
    subject: delivery.subject,
    signal: item.abort.signal
  }
  inFlight.add(item)
  let action: (delivery: Delivery) => void
  try {
    const outcome = await settings.handler(decoded.value, control)
    action = outcomeAction(outcome)
    if ('term' in outcome) settings.logger.warn({ subject: delivery.subject, attempt: delivery.attempt, reason: outcome.term }, 'handler terminated a message')
  } catch (error) {
    const delayMs = retryDelayMs(settings.backoffMs, delivery.attempt, DEFAULT_BACKOFF_MS[0])
    settings.logger.error({ err: error, subject: delivery.subject, attempt: delivery.attempt, retryInMs: delayMs }, 'message handler failed')
    action = (d) => d.nak(delayMs)
  } finally {
    inFlight.delete(item)
  }
  settle(item, action)
}

function outcomeAction (outcome: Outcome): (delivery: Delivery) => void {
  if ('ack' in outcome && outcome.ack) return (d) => d.ack()
  if ('nak' in outcome && Number.isFinite(outcome.nak) && outcome.nak >= 0) return (d) => d.nak(outcome.nak)
  if ('term' in outcome && typeof outcome.term === 'string') return (d) => d.term(outcome.term)
  throw new Error(`the handler returned ${JSON.stringify(outcome)}: expected { ack: true }, { nak: delayMs } or { term: reason }`)
}

// Once a message is handed back (abandon) or settled, a late outcome from its handler must not settle it again.
// A settlement that cannot be sent (connection gone) is left to the ack deadline: the server redelivers.
function settle (item: InFlight, action: (delivery: Delivery) => void): void {
  if (item.settled) return
  item.settled = true
  try {
    action(item.delivery)
  } catch {}
}

async function pause (signal: AbortSignal): Promise<void> {
  await sleep(RETRY_AFTER_FAILURE_MS, undefined, { signal }).catch(() => undefined)
}
