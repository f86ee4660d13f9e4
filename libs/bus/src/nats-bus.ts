import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node'
import { DEFAULT_BACKOFF_MS, startConsumption } from './consumption.ts'
import { consoleLogger } from './logger.ts'
import { durableSource, ensureDurable } from './nats-consume.ts'
import { request, serve } from './nats-requests.ts'
import { ensureStreams, publish, queueLag } from './nats-streams.ts'
import { subscribeLive } from './nats-subscribe.ts'
import { connectionState } from './nats-connection-state.ts'
import { Resources } from './resources.ts'
import type { Bus, BusLogger } from './types.ts'

export interface NatsBusOptions {
  servers: string | string[]
  /** The connection name the server shows, e.g. the service and its replica. */
  name: string
  logger?: BusLogger
  /** Anything else nats.js accepts: credentials, TLS, reconnect settings. */
  connectOptions?: Omit<NodeConnectionOptions, 'servers' | 'name'>
}

/** The NATS bus also exposes its connection, e.g. for a readiness check. */
export interface NatsBus extends Bus {
  readonly connection: NatsConnection
}

/**
 * Connects to NATS; JetStream must be enabled on the server.
 * @example const bus = await createNatsBus({ servers: config.NATS_URL, name: 'runs' })
 */
export async function createNatsBus (options: NatsBusOptions): Promise<NatsBus> {
  const logger = options.logger ?? consoleLogger
  // nats.js builds an Error (with its stack) for every request and timer to trace a timeout to its caller;
  // under load that is a large share of a request's cost, and a BusError names the subject anyway.
  const nc = await connect({ noAsyncTraces: true, ...options.connectOptions, servers: options.servers, name: options.name })
  const js = jetstream(nc)
  const jsm = await jetstreamManager(nc)
  const resources = new Resources()
  const state = connectionState(nc)
  const ready = (): void => { resources.assertOpen(); state.assertConnected() }

  return {
    connection: nc,
    request: async (endpoint, payload, requestOptions) => {
      ready()
      return await request(nc, endpoint, payload, requestOptions)
    },
    serve: async (endpoint, handler, serveOptions) => {
      resources.assertOpen()
      return { stop: resources.track((await serve(nc, endpoint, handler, serveOptions, logger)).stop) }
    },
    ensureStreams: async (definitions) => {
      resources.assertOpen()
      await ensureStreams(jsm, definitions)
    },
    publish: async (topic, message, publishOptions = {}) => {
      ready()
      return await publish(js, topic, message, publishOptions)
    },
    consume: async (topic, consumeOptions, handler) => {
      resources.assertOpen()
      await ensureDurable(jsm, topic, consumeOptions)
      const source = await durableSource(nc, js, topic, consumeOptions.durable)
      const { concurrency, maxDeliver, backoffMs = DEFAULT_BACKOFF_MS } = consumeOptions
      return { stop: resources.track(startConsumption(source, { topic, handler, concurrency, maxDeliver, backoffMs, logger }).stop) }
    },
    subscribe: async (topic, subscribeOptions, handler) => {
      resources.assertOpen()
      return { unsubscribe: resources.track((await subscribeLive(js, jsm, topic, subscribeOptions, handler, logger)).unsubscribe) }
    },
    queueLag: async (topic, durable) => {
      ready()
      return await queueLag(jsm, topic, durable)
    },
    close: async () => {
      if (resources.closed) return
      await resources.close()
      if (!nc.isClosed()) await nc.drain()
    }
  }
}
