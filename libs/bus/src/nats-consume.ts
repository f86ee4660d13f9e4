import { AckPolicy, DeliverPolicy, JetStreamApiCodes, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream'
import { nanos, type NatsConnection } from '@nats-io/transport-node'
import { topicFilter, type Topic } from '@kalla/proto'
import type { Delivery, DeliverySource } from './consumption.ts'
import { isApiError, streamError } from './nats-streams.ts'
import type { ConsumeOptions } from './types.ts'

// How long one pull request waits on the server. Stopping ends our side at once; a shorter wait bounds
// how long the server may keep offering messages to a request nobody is listening to any more.
const PULL_EXPIRES_MS = 10_000

/** Creates the durable pull consumer, or brings an existing one to `options`; safe for every replica to run. */
export async function ensureDurable (jsm: JetStreamManager, topic: Topic, options: ConsumeOptions): Promise<void> {
  const settings = {
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(options.ackWaitMs),
    max_deliver: options.maxDeliver,
    filter_subject: options.filterSubject ?? topicFilter(topic)
  }
  try {
    const exists = await jsm.consumers.info(topic.stream, options.durable).then(() => true, (error: unknown) => {
      if (isApiError(error, JetStreamApiCodes.ConsumerNotFound)) return false
      throw error
    })
    if (exists) await jsm.consumers.update(topic.stream, options.durable, settings)
    else await jsm.consumers.add(topic.stream, { durable_name: options.durable, deliver_policy: DeliverPolicy.All, ...settings })
  } catch (error) {
    throw streamError(topic, error)
  }
}

/** Pulls one message per request, so a worker only ever holds the message it is handling. */
export async function durableSource (nc: NatsConnection, js: JetStreamClient, topic: Topic, durable: string): Promise<DeliverySource> {
  const consumer = await js.consumers.get(topic.stream, durable).catch((error: unknown) => { throw streamError(topic, error) })
  const pulls = new Set<ConsumerMessages>()
  const termReasons = supportsTermReason(nc)
  let closed = false
  return {
    next: async () => {
      if (closed) return null
      const pull = await consumer.fetch({ max_messages: 1, expires: PULL_EXPIRES_MS })
      pulls.add(pull)
      if (closed) pull.stop()
      try {
        const first = await pull[Symbol.asyncIterator]().next()
        return first.done === true ? null : delivery(first.value, termReasons)
      } finally {
        // The iterator only runs its own clean-up when iterated past the end; without this stop the pull's
        // subscription and heartbeat timer would linger until two heartbeats were missed.
        pull.stop()
        pulls.delete(pull)
      }
    },
    close: () => {
      closed = true
      for (const pull of pulls) pull.stop()
    },
    flush: async () => {
      if (!nc.isClosed()) await nc.flush()
    }
  }
}

// Servers before 2.10 do not parse "+TERM <reason>": they ignore it and the message comes back after
// its ack wait. Those get a bare term; the reason is still in our log.
function supportsTermReason (nc: NatsConnection): boolean {
  const [major = 0, minor = 0] = (nc.info?.version ?? '0.0.0').split('.').map(Number)
  return major > 2 || (major === 2 && minor >= 10)
}

function delivery (msg: JsMsg, termReasons: boolean): Delivery {
  return {
    data: msg.data,
    subject: msg.subject,
    attempt: msg.info.deliveryCount,
    ack: () => msg.ack(),
    nak: (delayMs) => msg.nak(delayMs),
    term: (reason) => msg.term(termReasons ? reason : undefined),
    working: () => msg.working()
  }
}
