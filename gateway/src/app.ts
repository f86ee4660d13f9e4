import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { migrations } from '@kalla/auth/migrations'
import type { Bus } from '@kalla/bus'
import { RUNS_EVENTS_CONSUMER, RunEvents } from '@kalla/proto'
import { busPlugin, createLogger, databasePlugin, healthRoutes, metricsRoute, storagePlugin } from '@kalla/service'
import { storageConfigFromEnv, type Storage } from '@kalla/storage'
import type { GatewayConfig } from './config.ts'
import { gatewayPlugin } from './plugin.ts'

export { gatewayPlugin, type GatewayPluginOptions } from './plugin.ts'
export { GatewayConfig, loadGatewayConfig } from './config.ts'

/** Infrastructure shared in single mode; scaled mode opens its own from the config. */
export interface SharedInfrastructure { bus?: Bus, storage?: Storage }

/** The gateway as its own process: database (API keys), bus and storage, health and metrics, then the public surface. */
export async function buildGatewayApp (config: GatewayConfig, shared: SharedInfrastructure = {}): Promise<FastifyInstance> {
  const logger: FastifyBaseLogger = createLogger({ name: 'gateway', level: config.LOG_LEVEL })
  const app = Fastify({ loggerInstance: logger })
  await app.register(databasePlugin, { url: config.DATABASE_URL, schema: config.GATEWAY_DB_SCHEMA, migrations, migrate: config.MIGRATE_ON_START })
  await app.register(busPlugin, { bus: shared.bus, config, identity: 'gateway' })
  await app.register(storagePlugin, { storage: shared.storage, config: storageConfigFromEnv(config) })
  await app.register(healthRoutes, {
    checks: {
      database: app.database.ping,
      bus: async () => { await app.bus.queueLag(RunEvents, RUNS_EVENTS_CONSUMER.durable) },
      storage: async () => { await app.storage.ping() }
    }
  })
  await app.register(metricsRoute, { service: 'gateway' })
  await app.register(gatewayPlugin, { bus: app.bus, storage: app.storage, database: app.database, config })
  return app
}
