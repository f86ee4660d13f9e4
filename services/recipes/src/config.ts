import { tmpdir } from 'node:os'
import Type, { type Static } from 'typebox'
import { loadConfig } from '@kalla/service'
import { StorageEnv, storageConfigFromEnv, type StorageConfig } from '@kalla/storage'

export const RecipesConfig = Type.Object({
  HOST: Type.String({ default: '0.0.0.0', description: 'Address the health and metrics server listens on' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4002, description: 'Port of the health and metrics server' }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'], { default: 'info', description: 'Log level' }),
  NATS_URL: Type.Optional(Type.String({ minLength: 1, description: 'NATS server(s) with JetStream, comma separated (required when the service runs on its own)' })),
  DATABASE_URL: Type.Optional(Type.String({ minLength: 1, description: 'Postgres URL; the service keeps its tables in its own schema (required when the service runs on its own)' })),
  RECIPES_DB_SCHEMA: Type.String({ pattern: '^[a-z_][a-z0-9_]*$', default: 'recipes', description: 'Postgres schema owned by the recipes service' }),
  MIGRATE_ON_START: Type.Boolean({ default: false, description: 'Run database migrations at start-up (single mode does)' }),
  ...StorageEnv,
  KALLA_WORK_DIR: Type.String({ minLength: 1, default: tmpdir(), description: 'Where each preview and source probe gets its own temporary directory (default: the OS temporary directory)' }),
  ENGINE_MEMORY_LIMIT: Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?\\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$', default: '1GB', description: 'DuckDB memory limit of one preview; work beyond it spills to the work directory' }),
  RECIPES_PREVIEW_TIMEOUT_S: Type.Integer({ minimum: 1, default: 60, description: 'A preview that runs longer than this is stopped with ENGINE_TIMEOUT' }),
  RECIPES_PROBE_TIMEOUT_S: Type.Integer({ minimum: 1, default: 15, description: 'How long validation may spend reading the columns of a Postgres source given by a literal URI' })
})
export type RecipesConfig = Static<typeof RecipesConfig>

export function loadRecipesConfig (env: Record<string, string | undefined> = process.env): RecipesConfig {
  return loadConfig(RecipesConfig, env)
}

/** The object storage the configuration names: S3 when a bucket is given, else the local directory. */
export function storageConfig (config: RecipesConfig): StorageConfig {
  return storageConfigFromEnv(config)
}
