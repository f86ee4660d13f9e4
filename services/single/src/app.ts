import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { migrations as auditMigrations } from '@kalla/audit/migrations'
import { migrations as authMigrations } from '@kalla/auth/migrations'
import { migrateSchema } from '@kalla/db'
import { gatewayPlugin, loadGatewayConfig, trustProxy } from '@kalla/gateway'
import { buildMatcherApp } from '@kalla/matcher'
import { loadMatcherConfig } from '@kalla/matcher/config'
import { buildRecipesApp } from '@kalla/recipes'
import { loadRecipesConfig } from '@kalla/recipes/config'
import { buildRunsApp } from '@kalla/runs'
import { loadRunsConfig } from '@kalla/runs/config'
import { createLogger, healthRoutes, metricsRoute } from '@kalla/service'
import { buildSourcesApp } from '@kalla/sources'
import { loadSourcesConfig } from '@kalla/sources/config'
import { localAdminKey } from './admin-key.ts'
import type { SingleConfig } from './config.ts'
import { openInfrastructure, type Infrastructure } from './infrastructure.ts'

/** Kalla in one process, and the handles a test needs. */
export interface SingleApp { app: FastifyInstance, infrastructure: Infrastructure, services: FastifyInstance[] }

/**
 * Single mode's composition root: shared infrastructure, then every service on it (migrating its schema),
 * then the one HTTP surface: the gateway (GraphQL, uploads, downloads) on the shared bus and storage.
 * Each service reads its own settings from the same environment as usual.
 */
export async function buildSingleApp (config: SingleConfig, env: Record<string, string | undefined>): Promise<SingleApp> {
  const infrastructure = await openInfrastructure(config, env)
  const shared = { bus: infrastructure.bus, database: infrastructure.database, storage: infrastructure.storage }
  const workDir = env.KALLA_WORK_DIR ?? join(resolve(config.KALLA_DATA_DIR), 'work')
  // Previews and source probes make their temporary directories inside it; it must exist first.
  await mkdir(workDir, { recursive: true })
  // Every service sees the shared local storage root, so files are read in place rather than copied.
  const serviceEnv = { ...env, STORAGE_DIR: env.STORAGE_DIR ?? join(resolve(config.KALLA_DATA_DIR), 'storage'), LOG_LEVEL: config.LOG_LEVEL, MIGRATE_ON_START: 'true', KALLA_WORK_DIR: workDir, KALLA_ENCRYPTION_KEY: env.KALLA_ENCRYPTION_KEY ?? await localKey(config, 'encryption.key'), KALLA_RESOLVE_KEY: env.KALLA_RESOLVE_KEY ?? await localKey(config, 'resolve.key') }
  const sourcesConfig = loadSourcesConfig(serviceEnv)
  const services = [
    await buildSourcesApp(sourcesConfig, shared),
    await buildRecipesApp(loadRecipesConfig(serviceEnv), shared),
    await buildRunsApp(loadRunsConfig(serviceEnv), shared),
    await buildMatcherApp(loadMatcherConfig(serviceEnv), shared)
  ]
  await Promise.all(services.map((s) => s.ready()))

  const logger: FastifyBaseLogger = createLogger({ name: 'kalla', level: config.LOG_LEVEL })
  // The gateway reads local result files in place, under the directory the shared storage uses; the upload
  // limit set for the sources service still applies when the gateway's own is not set.
  // Without a configured admin key, one is generated in the data directory at first start (see admin-key.ts).
  const gatewayConfig = loadGatewayConfig({
    ...serviceEnv,
    GATEWAY_UPLOAD_MAX_BYTES: env.GATEWAY_UPLOAD_MAX_BYTES ?? String(sourcesConfig.SOURCES_UPLOAD_MAX_BYTES),
    ...(env.KALLA_ADMIN_KEY === undefined && env.KALLA_ADMIN_KEY_FILE === undefined ? { KALLA_ADMIN_KEY_FILE: await localAdminKey(config, logger) } : {})
  })
  const app = Fastify({ loggerInstance: logger, trustProxy: trustProxy(gatewayConfig) })
  await app.register(healthRoutes, { checks: { database: infrastructure.database.ping, storage: infrastructure.storage.ping } })
  await app.register(metricsRoute, { service: 'kalla', token: config.METRICS_TOKEN })
  await migrateSchema(infrastructure.database.db, gatewayConfig.GATEWAY_DB_SCHEMA, authMigrations)
  await migrateSchema(infrastructure.database.db, gatewayConfig.GATEWAY_AUDIT_DB_SCHEMA, auditMigrations)
  await app.register(gatewayPlugin, { bus: infrastructure.bus, storage: infrastructure.storage, database: infrastructure.database, config: gatewayConfig })
  app.addHook('onClose', async () => {
    // The matcher goes first so an in-flight job is finished or handed back before the bus closes.
    for (const service of [...services].reverse()) await service.close()
    await infrastructure.close()
  })
  return { app, infrastructure, services }
}

// Single mode on a fresh clone has no keys configured: each is generated once and kept in the data directory.
async function localKey (config: SingleConfig, file: string): Promise<string> {
  const { mkdir, readFile, writeFile } = await import('node:fs/promises')
  const { randomBytes } = await import('node:crypto')
  const path = join(resolve(config.KALLA_DATA_DIR), file)
  try {
    return (await readFile(path, 'utf8')).trim()
  } catch {
    await mkdir(resolve(config.KALLA_DATA_DIR), { recursive: true })
    const key = randomBytes(32).toString('hex')
    await writeFile(path, key + '\n', { mode: 0o600 })
    return key
  }
}
