import { consoleLogger } from './logger.ts'
import { memoryRequests } from './memory-requests.ts'
import { MemoryStreams } from './memory-streams.ts'
import { Resources } from './resources.ts'
import type { Bus, BusLogger } from './types.ts'

export interface MemoryBusOptions {
  logger?: BusLogger
}

/** The in-process bus, which can also tell a test what is still attached. */
export interface MemoryBus extends Bus {
  /** Live subscriptions currently attached to `stream`. */
  liveSubscriptions: (stream: string) => number
}

/**
 * The bus for single mode: one process, the same interface and delivery rules as NATS,
 * but streams live in memory and are gone when the process ends.
 * @example const bus = createMemoryBus(); await bus.ensureStreams(STREAMS)
 */
export function createMemoryBus (options: MemoryBusOptions = {}): MemoryBus {
  const logger = options.logger ?? consoleLogger
  const requests = memoryRequests(logger)
  const streams = new MemoryStreams(logger)
  const resources = new Resources()

  return {
    request: async (endpoint, payload, requestOptions) => {
      resources.assertOpen()
      return await requests.request(endpoint, payload, requestOptions)
    },
    serve: async (endpoint, handler, serveOptions) => {
      resources.assertOpen()
      return { stop: resources.track(requests.serve(endpoint, handler, serveOptions).stop) }
    },
    ensureStreams: async (definitions) => {
      resources.assertOpen()
      streams.ensure(definitions)
    },
    publish: async (topic, message, publishOptions = {}) => {
      resources.assertOpen()
      return streams.publish(topic, message, publishOptions)
    },
    consume: async (topic, consumeOptions, handler) => {
      resources.assertOpen()
      return { stop: resources.track(streams.consume(topic, consumeOptions, handler).stop) }
    },
    subscribe: async (topic, subscribeOptions, handler) => {
      resources.assertOpen()
      return { unsubscribe: resources.track(streams.subscribe(topic, subscribeOptions, handler).unsubscribe) }
    },
    deadLetters: async (topic, durable, handler) => {
      resources.assertOpen()
      return { unsubscribe: resources.track(streams.deadLetters(topic, durable, handler).unsubscribe) }
    },
    queueLag: async (topic, durable) => {
      resources.assertOpen()
      return streams.lag(topic, durable)
    },
    close: async () => {
      if (resources.closed) return
      await resources.close()
      streams.close()
    },
    liveSubscriptions: (stream) => streams.liveSubscriptions(stream)
  }
}
