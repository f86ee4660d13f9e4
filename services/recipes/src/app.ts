import { MATCHER_CONSUMER, MatchJobs } from '@kalla/proto'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Bus } from '@kalla/bus'
import type { Database } from '@kalla/db'
import { storageConfigFromEnv, type Storage } from '@kalla/storage'
import { busPlugin, createLogger, lazySchemaController, databasePlugin, healthRoutes, metricsRoute, parseKey, sourceAccess, storagePlugin } from '@kalla/service'
import type { RecipesConfig } from './config.ts'
import { migrations } from './db/migrations/index.ts'
import type { RecipesDb } from './db/recipes-repository.ts'
import type { RecipesDeps } from './domain/deps.ts'
import { serveEndpoints } from './handlers/endpoints.ts'

/** Infrastructure shared in single mode; scaled mode opens its own from the config. */
export interface SharedInfrastructure { bus?: Bus, database?: Database, storage?: Storage }

/** The recipes service: infrastructure, then the domain's endpoints, then health and metrics. */
export async function buildRecipesApp (config: RecipesConfig, shared: SharedInfrastructure = {}): Promise<FastifyInstance> {
  const logger: FastifyBaseLogger = createLogger({ name: 'recipes', level: config.LOG_LEVEL })
  const app = Fastify({ loggerInstance: logger, schemaController: lazySchemaController })
  await app.register(databasePlugin, { database: shared.database, url: config.DATABASE_URL, schema: config.RECIPES_DB_SCHEMA, migrations, migrate: config.MIGRATE_ON_START })
  await app.register(busPlugin, { bus: shared.bus, config, identity: 'recipes' })
  await app.register(storagePlugin, { storage: shared.storage, config: storageConfigFromEnv(config) })

  const deps: RecipesDeps = {
    db: app.database.db.withSchema(config.RECIPES_DB_SCHEMA) as RecipesDb,
    bus: app.bus,
    log: app.log,
    storage: app.storage,
    access: sourceAccess(parseKey('KALLA_RESOLVE_KEY', config.KALLA_RESOLVE_KEY)),
    // A shared local storage is assumed to use the same directory; a file not found there is downloaded.
    localRoot: app.storage.kind === 'local' ? config.STORAGE_DIR : undefined,
    ...(config.KALLA_LLM_URL === undefined || config.KALLA_LLM_MODEL === undefined
      ? {}
      : { llm: { url: config.KALLA_LLM_URL, model: config.KALLA_LLM_MODEL, timeoutMs: config.KALLA_LLM_TIMEOUT_S * 1000, sampleValues: config.KALLA_LLM_SAMPLE_VALUES, ...(config.KALLA_LLM_API_KEY === undefined ? {} : { apiKey: config.KALLA_LLM_API_KEY }) } }),
    engine: {
      memoryLimit: config.ENGINE_MEMORY_LIMIT,
      previewTimeoutMs: config.RECIPES_PREVIEW_TIMEOUT_S * 1000,
      probeTimeoutMs: config.RECIPES_PROBE_TIMEOUT_S * 1000,
      workDir: config.KALLA_WORK_DIR
    }
  }
  const services = await serveEndpoints(app.bus, deps)
  app.addHook('onClose', async () => { await Promise.all(services.map((s) => s.stop())) })

  await app.register(healthRoutes, { checks: { database: app.database.ping, bus: async () => { await app.bus.queueLag(MatchJobs, MATCHER_CONSUMER.durable) }, storage: () => app.storage.ping() } })
  await app.register(metricsRoute, { service: 'recipes', token: config.METRICS_TOKEN })
  return app
}
