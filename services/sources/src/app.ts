import { tmpdir } from 'node:os'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { BusError, type Bus } from '@kalla/bus'
import type { Database } from '@kalla/db'
import { GetUpload } from '@kalla/proto'
import { busPlugin, createLogger, lazySchemaController, databasePlugin, healthRoutes, metricsRoute, sourceAccess, storagePlugin } from '@kalla/service'
import { storageConfigFromEnv, type Storage } from '@kalla/storage'
import { uploadRoutes } from '@kalla/uploads'
import { sourcesKeys, type SourcesConfig } from './config.ts'
import { migrations } from './db/migrations/index.ts'
import type { SourcesDb } from './db/sources-repository.ts'
import type { SourcesDeps } from './domain/deps.ts'
import { recipesUsing } from './domain/recipes-using.ts'
import { createSecretBox } from './domain/secret-box.ts'
import { createUpload, sweepExpiredUploads } from './domain/uploads.ts'
import { serveSourceEndpoints } from './handlers/source-endpoints.ts'
import { serveUploadEndpoints } from './handlers/upload-endpoints.ts'

export { loadSourcesConfig, SourcesConfig } from './config.ts'

/** Infrastructure shared in single mode; scaled mode opens its own from the config. */
export interface SharedInfrastructure { bus?: Bus, database?: Database, storage?: Storage }

/** The sources service: infrastructure, the registry and upload endpoints, POST /uploads, then health and metrics. */
export async function buildSourcesApp (config: SourcesConfig, shared: SharedInfrastructure = {}): Promise<FastifyInstance> {
  const keys = sourcesKeys(config)
  const logger: FastifyBaseLogger = createLogger({ name: 'sources', level: config.LOG_LEVEL })
  const app = Fastify({ loggerInstance: logger, schemaController: lazySchemaController })
  await app.register(databasePlugin, { database: shared.database, url: config.DATABASE_URL, schema: config.SOURCES_DB_SCHEMA, migrations, migrate: config.MIGRATE_ON_START })
  await app.register(busPlugin, { bus: shared.bus, config, identity: 'sources' })
  await app.register(storagePlugin, { storage: shared.storage, config: storageConfigFromEnv(config) })

  const deps: SourcesDeps = {
    db: app.database.db.withSchema(config.SOURCES_DB_SCHEMA) as SourcesDb,
    storage: app.storage,
    secrets: createSecretBox(keys.encryption, keys.previous),
    access: sourceAccess(keys.resolve),
    log: app.log,
    files: { storage: app.storage, root: app.storage.kind === 'local' ? config.STORAGE_DIR : undefined, workDir: config.SOURCES_WORK_DIR ?? tmpdir() },
    pg: { connectTimeoutMs: config.SOURCES_CONNECT_TIMEOUT_MS, queryTimeoutMs: config.SOURCES_QUERY_TIMEOUT_MS },
    uploads: { maxBytes: config.SOURCES_UPLOAD_MAX_BYTES, ttlMs: config.SOURCES_UPLOAD_TTL_S * 1000 },
    recipesUsing: recipesUsing(app.bus)
  }
  const services = [...await serveSourceEndpoints(app.bus, deps), ...await serveUploadEndpoints(app.bus, deps)]
  const sweep = (): void => { sweepExpiredUploads(deps).catch((error: unknown) => { app.log.error({ err: error }, 'sweeping expired uploads failed') }) }
  const sweeper = setInterval(sweep, config.SOURCES_SWEEP_INTERVAL_S * 1000)
  app.addHook('onReady', async () => { sweep() })
  app.addHook('onClose', async () => {
    clearInterval(sweeper)
    await Promise.all(services.map((s) => s.stop()))
  })

  await app.register(uploadRoutes, { deps: { storage: app.storage, maxBytes: deps.uploads.maxBytes, record: (file) => createUpload(deps, file) } })
  await app.register(healthRoutes, { checks: { database: app.database.ping, bus: () => answersOnBus(app.bus), storage: () => app.storage.ping() } })
  await app.register(metricsRoute, { service: 'sources', token: config.METRICS_TOKEN })
  return app
}

// A round trip through this service's own endpoint: proves the bus carries its requests.
async function answersOnBus (bus: Bus): Promise<void> {
  try {
    await bus.request(GetUpload, { upload_id: 'readiness-probe' }, { timeoutMs: 1500 })
  } catch (error) {
    if (error instanceof BusError && error.code === 'SOURCES_UPLOAD_NOT_FOUND') return
    throw error
  }
}
