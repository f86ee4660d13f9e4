import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Bus } from '@kalla/bus'
import type { Database } from '@kalla/db'
import { RUNS_EVENTS_CONSUMER, RunEvents } from '@kalla/proto'
import { busPlugin, createLogger, lazySchemaController, databasePlugin, healthRoutes, metricsRoute, storagePlugin } from '@kalla/service'
import { storageConfigFromEnv, type Storage } from '@kalla/storage'
import type { RunsConfig } from './config.ts'
import { migrations } from './db/migrations/index.ts'
import type { RunsDb } from './db/runs-repository.ts'
import type { RunsDeps } from './domain/deps.ts'
import { sweepUnfinishedRuns } from './domain/recover.ts'
import { serveEndpoints } from './handlers/endpoints.ts'
import { failDeadJobs } from './handlers/dead-jobs.ts'
import { consumeRunEvents } from './handlers/run-events.ts'

/** Infrastructure shared in single mode; scaled mode opens its own from the config. */
export interface SharedInfrastructure { bus?: Bus, database?: Database, storage?: Storage }

/** The runs service: infrastructure, then the domain's endpoints, event consumer and dead-job listener, then health and metrics. */
export async function buildRunsApp (config: RunsConfig, shared: SharedInfrastructure = {}): Promise<FastifyInstance> {
  const logger: FastifyBaseLogger = createLogger({ name: 'runs', level: config.LOG_LEVEL })
  const app = Fastify({ loggerInstance: logger, schemaController: lazySchemaController })
  await app.register(databasePlugin, { database: shared.database, url: config.DATABASE_URL, schema: config.RUNS_DB_SCHEMA, migrations, migrate: config.MIGRATE_ON_START })
  await app.register(busPlugin, { bus: shared.bus, config, identity: 'runs' })
  await app.register(storagePlugin, { storage: shared.storage, config: storageConfigFromEnv(config) })

  const deps: RunsDeps = { db: app.database.db.withSchema(config.RUNS_DB_SCHEMA) as RunsDb, bus: app.bus, log: app.log, resultsPrefix: config.RUNS_RESULTS_PREFIX, storage: app.storage }
  await sweepUnfinishedRuns(deps, { redispatch: true, stallTimeoutMs: config.RUNS_STALL_TIMEOUT_S * 1000 })
  const services = await serveEndpoints(app.bus, deps)
  const events = await consumeRunEvents(app.bus, deps, app.database.ping)
  const deadJobs = await failDeadJobs(app.bus, deps)
  const sweep = setInterval(() => {
    sweepUnfinishedRuns(deps, { redispatch: false, stallTimeoutMs: config.RUNS_STALL_TIMEOUT_S * 1000 }).catch((error: unknown) => { app.log.error({ err: error }, 'sweep failed') })
  }, config.RUNS_SWEEP_INTERVAL_S * 1000)
  app.addHook('onClose', async () => {
    clearInterval(sweep)
    await events.stop()
    await deadJobs.unsubscribe()
    await Promise.all(services.map((s) => s.stop()))
  })

  await app.register(healthRoutes, { checks: { database: app.database.ping, storage: () => app.storage.ping(), bus: async () => { await app.bus.queueLag(RunEvents, RUNS_EVENTS_CONSUMER.durable) } } })
  await app.register(metricsRoute, { service: 'runs', token: config.METRICS_TOKEN })
  return app
}
