import type { JetStreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { deadLetterAdvisorySubject, type Topic } from '@kalla/proto'
import { deadLetterHandler } from './dead-letters.ts'
import type { BusLogger, DeadLetterHandler, Subscription } from './types.ts'

interface MaxDeliveriesAdvisory { stream?: string, consumer?: string, stream_seq?: number, deliveries?: number }

/**
 * Listens to JetStream's MAX_DELIVERIES advisory for one durable and reads each message it names back
 * from the stream (a work queue keeps a message that ran out of deliveries), so it can be handled.
 */
export async function deadLetters<T extends Topic> (
  nc: NatsConnection, jsm: JetStreamManager, topic: T, durable: string, handler: DeadLetterHandler<T>, logger: BusLogger
): Promise<Subscription> {
  const deliver = deadLetterHandler(topic, handler, logger)
  const subscription = nc.subscribe(deadLetterAdvisorySubject(topic.stream, durable), {
    callback: (error, msg) => {
      if (error !== null) { logger.error({ err: error, stream: topic.stream, durable }, 'the dead-letter subscription failed'); return }
      const advisory = msg.json<MaxDeliveriesAdvisory>()
      const seq = advisory.stream_seq
      if (typeof seq !== 'number') return
      jsm.streams.getMessage(topic.stream, { seq }).then(
        async (stored) => { if (stored !== null) await deliver(stored.data, seq, advisory.deliveries ?? 0) },
        (e: unknown) => { logger.warn({ err: e, stream: topic.stream, seq }, 'a dead letter could not be read back from its stream') }
      ).catch(() => {})
    }
  })
  await nc.flush()
  return { unsubscribe: async () => { subscription.unsubscribe() } }
}
