import Type, { type Static } from 'typebox'
import { BusEnv, ConfigError, loadConfig, parseKey, parseKeyList } from '@kalla/service'
import { StorageEnv } from '@kalla/storage'

export const SourcesConfig = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', description: 'Address the uploads, health and metrics server listens on: loopback by default; 0.0.0.0 (all interfaces) in a container that is probed or scraped from outside' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4001, description: 'Port of the uploads, health and metrics server' }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'], { default: 'info', description: 'Log level' }),
  ...BusEnv,
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16, description: 'When set, /metrics answers only requests with "Authorization: Bearer <token>" (Prometheus: authorization.credentials); open when unset' })),
  DATABASE_URL: Type.Optional(Type.String({ minLength: 1, description: 'Postgres URL; the service keeps its tables in its own schema (required when the service runs on its own)' })),
  SOURCES_DB_SCHEMA: Type.String({ pattern: '^[a-z_][a-z0-9_]*$', default: 'sources', description: 'Postgres schema owned by the sources service' }),
  KALLA_ENCRYPTION_KEY: Type.String({ minLength: 1, description: 'Key that encrypts source URIs at rest: 32 bytes as 64 hex characters or base64' }),
  KALLA_ENCRYPTION_KEYS_PREVIOUS: Type.Optional(Type.String({ description: 'Earlier encryption keys, comma separated: URIs sealed with them still open, until `reencrypt` seals them with KALLA_ENCRYPTION_KEY' })),
  KALLA_RESOLVE_KEY: Type.String({ minLength: 1, description: 'Key shared with the matcher and recipes services only: ResolveSource requests are proven and its answers sealed with it (32 bytes as 64 hex characters or base64)' }),
  ...StorageEnv,
  SOURCES_UPLOAD_MAX_BYTES: Type.Integer({ minimum: 1, default: 5 * 1024 ** 3, description: 'Largest file accepted by an upload' }),
  SOURCES_UPLOAD_TTL_S: Type.Integer({ minimum: 1, default: 7 * 24 * 3600, description: 'Uploads expire this long after they were made' }),
  SOURCES_SWEEP_INTERVAL_S: Type.Integer({ minimum: 1, default: 3600, description: 'How often expired uploads are deleted' }),
  SOURCES_CONNECT_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 3000, description: 'How long a connection to a source database may take' }),
  SOURCES_QUERY_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 4000, description: 'How long an introspection or preview query on a source database may run' }),
  SOURCES_WORK_DIR: Type.Optional(Type.String({ minLength: 1, description: 'Where objects are downloaded for inspection (the system temp directory when unset)' })),
  MIGRATE_ON_START: Type.Boolean({ default: false, description: 'Run database migrations at start-up (single mode does)' })
})
export type SourcesConfig = Static<typeof SourcesConfig>

/** Reads and checks the configuration, including every key's length. */
export function loadSourcesConfig (env: Record<string, string | undefined> = process.env): SourcesConfig {
  const config = loadConfig(SourcesConfig, env)
  sourcesKeys(config)
  return config
}

/** The keys the configuration names, each checked; every problem is reported at once. */
export function sourcesKeys (config: SourcesConfig): { encryption: Buffer, previous: Buffer[], resolve: Buffer } {
  const problems: string[] = []
  const attempt = <T>(read: () => T, fallback: T): T => {
    try {
      return read()
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      problems.push(...error.problems)
      return fallback
    }
  }
  const keys = {
    encryption: attempt(() => parseKey('KALLA_ENCRYPTION_KEY', config.KALLA_ENCRYPTION_KEY), Buffer.alloc(0)),
    previous: attempt(() => parseKeyList('KALLA_ENCRYPTION_KEYS_PREVIOUS', config.KALLA_ENCRYPTION_KEYS_PREVIOUS), []),
    resolve: attempt(() => parseKey('KALLA_RESOLVE_KEY', config.KALLA_RESOLVE_KEY), Buffer.alloc(0))
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return keys
}
