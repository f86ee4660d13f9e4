import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createNatsBus, type Bus } from '@kalla/bus'
import { BUS_ACCESS, busInboxPrefix, STREAMS, streamsToEnsure, type BusIdentity } from '@kalla/proto'
import { natsConnection, type BusEnv } from '../bus-env.ts'

declare module 'fastify' {
  interface FastifyInstance {
    bus: Bus
  }
}

export interface BusPluginOptions {
  /** A bus shared with other services in this process (single mode); else one connects with `config`. */
  bus?: Bus
  config: BusEnv
  /** Which process this is: its NATS inbox and the streams it keeps defined come from proto's BUS_ACCESS. */
  identity: BusIdentity
}

/**
 * Decorates `app.bus`, with the streams this process publishes to or consumes ensured, and closes a bus
 * it opened after everything else has stopped.
 */
export const busPlugin = fp(async (app: FastifyInstance, options: BusPluginOptions) => {
  const opened = options.bus === undefined
  const bus = options.bus ?? await createNatsBus({
    servers: (options.config.NATS_URL ?? '').split(','),
    name: options.identity,
    logger: app.log,
    ...natsConnection(options.config, busInboxPrefix(options.identity))
  })
  // A process of its own may only define the streams its NATS user may; a shared bus serves them all.
  await bus.ensureStreams(opened ? streamsToEnsure(BUS_ACCESS[options.identity]) : STREAMS)
  app.decorate('bus', bus)
  if (opened) app.addHook('onClose', async () => { await bus.close() })
}, { name: 'kalla-bus' })
