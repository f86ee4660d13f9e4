import Type, { type Static } from 'typebox'
import { BusEnv, loadConfig } from '@kalla/service'

/** Single mode's own settings; every service setting (ENGINE_MEMORY_LIMIT, ...) is read by that service as usual. */
export const SingleConfig = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', description: 'Address Kalla listens on' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4000, description: 'HTTP port (GraphQL, uploads, downloads, health)' }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'], { default: 'info', description: 'Log level' }),
  KALLA_DATA_DIR: Type.String({ default: '.kalla', description: 'Where single mode keeps its embedded database and files' }),
  DATABASE_URL: Type.Optional(Type.String({ description: 'Use this Postgres instead of the embedded PGlite' })),
  ...BusEnv,
  NATS_URL: Type.Optional(Type.String({ description: 'Use this NATS JetStream instead of the in-process bus' }))
})
export type SingleConfig = Static<typeof SingleConfig>

export function loadSingleConfig (env: Record<string, string | undefined> = process.env): SingleConfig {
  return loadConfig(SingleConfig, env)
}
