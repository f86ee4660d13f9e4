import { DeliverPolicy, JetStreamApiCodes, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream'
import type { Topic } from '@kalla/proto'
import { filterFor } from './codec.ts'
import { notLive } from './errors.ts'
import { liveHandler } from './live.ts'
import { isApiError, streamError } from './nats-streams.ts'
import type { BusLogger, SubscribeHandler, SubscribeOptions, Subscription } from './types.ts'

// Only a backstop: unsubscribe deletes the consumer itself. Should that delete be lost, the server
// removes a consumer nobody has pulled from for this long.
const INACTIVE_THRESHOLD_MS = 60_000

/**
 * Follows a topic through an ordered consumer (ephemeral, in-memory, recreated by the client on a gap).
 * Unsubscribing stops the client subscription and deletes the server-side consumer before resolving,
 * rather than leaving it to idle out: many idle live subscribers must not pile up on the server.
 */
export async function subscribeLive<T extends Topic> (
  js: JetStreamClient, jsm: JetStreamManager, topic: T, options: SubscribeOptions, handler: SubscribeHandler<T>, logger: BusLogger
): Promise<Subscription> {
  const filter = filterFor(topic, options.subjectSuffix)
  const stream = await jsm.streams.info(topic.stream).catch((error: unknown) => { throw streamError(topic, error) })
  if (stream.config.retention === 'workqueue') throw notLive(topic)
  const consumer = await js.consumers.get(topic.stream, {
    filter_subjects: filter,
    deliver_policy: options.deliver === 'all' ? DeliverPolicy.All : DeliverPolicy.New,
    inactive_threshold: INACTIVE_THRESHOLD_MS
  }).catch((error: unknown) => { throw streamError(topic, error) })
  const messages = await consumer.consume()
  const deliver = liveHandler(topic, handler, logger)
  const follow = async () => {
    for await (const msg of messages) await deliver(msg.data, msg.subject, msg.seq)
  }
  follow().catch((error: unknown) => logger.warn({ err: error, stream: topic.stream, filter }, 'live subscription ended'))

  let ended: Promise<void> | undefined
  return {
    unsubscribe: async () => {
      ended ??= (async () => {
        messages.stop()
        await consumer.delete().catch((error: unknown) => {
          if (!isApiError(error, JetStreamApiCodes.ConsumerNotFound)) logger.warn({ err: error, stream: topic.stream }, 'could not delete a live consumer; it will idle out')
        })
      })()
      await ended
    }
  }
}
