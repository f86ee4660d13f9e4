import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createNatsBus, type Bus } from '@kalla/bus'
import { STREAMS } from '@kalla/proto'

declare module 'fastify' {
  interface FastifyInstance {
    bus: Bus
  }
}

export interface BusPluginOptions {
  /** A bus shared with other services in this process (single mode); else one connects to `natsUrl`. */
  bus?: Bus
  natsUrl?: string
  name: string
}

/** Decorates `app.bus` (streams ensured), and closes a bus it opened after everything else has stopped. */
export const busPlugin = fp(async (app: FastifyInstance, options: BusPluginOptions) => {
  const bus = options.bus ?? await createNatsBus({ servers: (options.natsUrl ?? '').split(','), name: options.name, logger: app.log })
  await bus.ensureStreams(STREAMS)
  app.decorate('bus', bus)
  if (options.bus === undefined) app.addHook('onClose', async () => { await bus.close() })
}, { name: 'kalla-bus' })
