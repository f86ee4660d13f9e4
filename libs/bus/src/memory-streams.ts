import { topicFilter, type MessageOf, type StreamDefinition, type Topic } from '@kalla/proto'
import { assertValid, encode, filterFor, subjectFor } from './codec.ts'
import { deadLetterHandler } from './dead-letters.ts'
import { DEFAULT_BACKOFF_MS, startConsumption } from './consumption.ts'
import { BusError, BusErrorCodes, notLive } from './errors.ts'
import { liveHandler } from './live.ts'
import { MemoryConsumer } from './memory-consumer.ts'
import { followStream } from './memory-live.ts'
import { MemoryStream, type StoredMessage } from './memory-stream.ts'
import type {
  BusLogger, ConsumeHandler, ConsumeOptions, Consumption, DeadLetterHandler, PublishOptions, PublishResult, SubscribeHandler, SubscribeOptions, Subscription
} from './types.ts'

/** The stream half of the in-process bus: streams, durable consumers and live subscriptions. */
export class MemoryStreams {
  readonly #logger: BusLogger
  readonly #streams = new Map<string, MemoryStream>()
  readonly #durables = new Map<string, MemoryConsumer>()
  readonly #live = new Map<string, number>()
  readonly #deadLetterListeners = new Map<string, Set<(message: StoredMessage, deliveries: number) => void>>()

  constructor (logger: BusLogger) {
    this.#logger = logger
  }

  ensure (definitions: readonly StreamDefinition[]): void {
    for (const definition of definitions) {
      const existing = this.#streams.get(definition.name)
      if (existing === undefined) this.#streams.set(definition.name, new MemoryStream(definition))
      else existing.definition = definition
    }
  }

  publish<T extends Topic> (topic: T, message: MessageOf<T>, options: PublishOptions): PublishResult {
    const subject = subjectFor(topic, options.subjectSuffix)
    const stream = this.#stream(topic)
    if (!stream.stores(subject)) throw new BusError(BusErrorCodes.NO_STREAM, `Stream ${topic.stream} does not store ${subject}`)
    assertValid(topic.schema, message, `The message for ${subject}`)
    return stream.publish(subject, encode(message), options.msgId)
  }

  consume<T extends Topic> (topic: T, options: ConsumeOptions, handler: ConsumeHandler<T>): Consumption {
    const stream = this.#stream(topic)
    const settings = { filter: options.filterSubject ?? topicFilter(topic), ackWaitMs: options.ackWaitMs, maxDeliver: options.maxDeliver }
    const key = `${topic.stream}/${options.durable}`
    const durable = this.#durables.get(key) ?? new MemoryConsumer(stream, settings, (message, deliveries) => {
      for (const listener of this.#deadLetterListeners.get(key) ?? []) listener(message, deliveries)
    })
    this.#durables.set(key, durable)
    durable.update(settings)
    const { concurrency, maxDeliver, backoffMs = DEFAULT_BACKOFF_MS } = options
    return startConsumption(durable.source(), { topic, handler, concurrency, maxDeliver, backoffMs, logger: this.#logger })
  }

  deadLetters<T extends Topic> (topic: T, durable: string, handler: DeadLetterHandler<T>): Subscription {
    const key = `${topic.stream}/${durable}`
    const listeners = this.#deadLetterListeners.get(key) ?? new Set()
    this.#deadLetterListeners.set(key, listeners)
    const deliver = deadLetterHandler(topic, handler, this.#logger)
    const listener = (message: StoredMessage, deliveries: number): void => { deliver(message.data, message.seq, deliveries).catch(() => {}) }
    listeners.add(listener)
    return { unsubscribe: async () => { listeners.delete(listener) } }
  }

  subscribe<T extends Topic> (topic: T, options: SubscribeOptions, handler: SubscribeHandler<T>): Subscription {
    const stream = this.#stream(topic)
    if (stream.definition.retention === 'workqueue') throw notLive(topic)
    const deliver = liveHandler(topic, handler, this.#logger)
    const following = followStream(stream, filterFor(topic, options.subjectSuffix), options.deliver, async (m) => await deliver(m.data, m.subject, m.seq))
    this.#countLive(topic.stream, 1)
    let attached = true
    return {
      unsubscribe: async () => {
        if (!attached) return
        attached = false
        following.stop()
        this.#countLive(topic.stream, -1)
      }
    }
  }

  /** Not yet acknowledged by `durable`; before the durable exists, everything the stream holds for the topic. */
  lag (topic: Topic, durable: string): number {
    return this.#durables.get(`${topic.stream}/${durable}`)?.lag() ?? this.#stream(topic).count(1, topicFilter(topic))
  }

  liveSubscriptions (stream: string): number {
    return this.#live.get(stream) ?? 0
  }

  close (): void {
    for (const durable of this.#durables.values()) durable.close()
  }

  #stream (topic: Topic): MemoryStream {
    const stream = this.#streams.get(topic.stream)
    if (stream === undefined) throw new BusError(BusErrorCodes.NO_STREAM, `Stream ${topic.stream} does not exist: call ensureStreams first`)
    return stream
  }

  #countLive (stream: string, change: number): void {
    this.#live.set(stream, (this.#live.get(stream) ?? 0) + change)
  }
}
