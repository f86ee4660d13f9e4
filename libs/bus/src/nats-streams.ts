import { JetStreamApiCodes, JetStreamApiError, type JetStreamClient, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream'
import { errors, nanos } from '@nats-io/transport-node'
import { topicFilter, type MessageOf, type StreamDefinition, type Topic } from '@kalla/proto'
import { assertValid, encode, subjectFor } from './codec.ts'
import { BusError, BusErrorCodes } from './errors.ts'
import type { PublishOptions, PublishResult } from './types.ts'

function streamConfig (definition: StreamDefinition): StreamConfig {
  return {
    name: definition.name,
    description: definition.description,
    subjects: [...definition.subjects],
    retention: definition.retention,
    discard: definition.discard,
    max_age: nanos(definition.maxAgeMs),
    max_bytes: definition.maxBytes,
    duplicate_window: nanos(definition.duplicateWindowMs),
    storage: definition.storage,
    num_replicas: definition.replicas
  } as StreamConfig
}

/** Creates each stream, or brings an existing one to its definition; safe to run on every start. */
export async function ensureStreams (jsm: JetStreamManager, definitions: readonly StreamDefinition[]): Promise<void> {
  for (const definition of definitions) {
    const config = streamConfig(definition)
    const exists = await jsm.streams.info(definition.name).then(() => true, (error: unknown) => {
      if (isApiError(error, JetStreamApiCodes.StreamNotFound)) return false
      throw transportError(`Could not read stream ${definition.name}`, error)
    })
    try {
      if (exists) await jsm.streams.update(definition.name, config)
      else await jsm.streams.add(config)
    } catch (error) {
      throw transportError(`Could not ${exists ? 'update' : 'create'} stream ${definition.name}`, error)
    }
  }
}

/** Publishes and resolves once the stream has stored the message (or recognised it as a duplicate). */
export async function publish<T extends Topic> (
  js: JetStreamClient, topic: T, message: MessageOf<T>, options: PublishOptions
): Promise<PublishResult> {
  const subject = subjectFor(topic, options.subjectSuffix)
  assertValid(topic.schema, message, `The message for ${subject}`)
  try {
    const ack = await js.publish(subject, encode(message), {
      ...(options.msgId === undefined ? {} : { msgID: options.msgId }),
      // The message must land in the stream its topic names, not one that happens to overlap.
      expect: { streamName: topic.stream }
    })
    return { seq: ack.seq, duplicate: ack.duplicate }
  } catch (error) {
    throw publishError(topic, subject, error)
  }
}

/** Not yet acknowledged by `durable`; before the durable exists, everything the stream holds for the topic. */
export async function queueLag (jsm: JetStreamManager, topic: Topic, durable: string): Promise<number> {
  try {
    const info = await jsm.consumers.info(topic.stream, durable)
    return info.num_pending + info.num_ack_pending
  } catch (error) {
    if (!isApiError(error, JetStreamApiCodes.ConsumerNotFound)) throw streamError(topic, error)
  }
  try {
    const info = await jsm.streams.info(topic.stream, { subjects_filter: topicFilter(topic) })
    return Object.values(info.state.subjects ?? {}).reduce((sum, count) => sum + count, 0)
  } catch (error) {
    throw streamError(topic, error)
  }
}

export function isApiError (error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code
}

export function streamError (topic: Topic, error: unknown): BusError {
  if (isApiError(error, JetStreamApiCodes.StreamNotFound)) {
    return new BusError(BusErrorCodes.NO_STREAM, `Stream ${topic.stream} does not exist: call ensureStreams first`, { cause: error })
  }
  return transportError(`JetStream failed for stream ${topic.stream}`, error)
}

export function transportError (context: string, error: unknown): BusError {
  if (error instanceof errors.ClosedConnectionError) return new BusError(BusErrorCodes.CLOSED, 'The bus is closed', { cause: error })
  const reason = error instanceof Error ? error.message : String(error)
  return new BusError(BusErrorCodes.TRANSPORT, `${context}: ${reason}`, { cause: error })
}

function publishError (topic: Topic, subject: string, error: unknown): BusError {
  // A subject no stream stores gets "no responders", which the client reports as JetStream not being enabled.
  const noResponders = error instanceof Error && error.cause instanceof errors.RequestError && error.cause.isNoResponders()
  const missing = noResponders || (error instanceof JetStreamApiError && /expected stream/i.test(error.message))
  if (missing) return new BusError(BusErrorCodes.NO_STREAM, `Stream ${topic.stream} does not store ${subject}: call ensureStreams first`, { cause: error })
  if (error instanceof JetStreamApiError && /maximum (bytes|messages)/i.test(error.message)) {
    return new BusError(BusErrorCodes.STREAM_FULL, `Stream ${topic.stream} is full`, { cause: error })
  }
  return transportError(`Publishing on ${subject} failed`, error)
}
