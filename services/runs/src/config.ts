import Type, { type Static } from 'typebox'
import { loadConfig } from '@kalla/service'

export const RunsConfig = Type.Object({
  HOST: Type.String({ default: '0.0.0.0', description: 'Address the health and metrics server listens on' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4003, description: 'Port of the health and metrics server' }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'], { default: 'info', description: 'Log level' }),
  NATS_URL: Type.Optional(Type.String({ minLength: 1, description: 'NATS server(s) with JetStream, comma separated (required when the service runs on its own)' })),
  DATABASE_URL: Type.Optional(Type.String({ minLength: 1, description: 'Postgres URL; the service keeps its tables in its own schema (required when the service runs on its own)' })),
  RUNS_DB_SCHEMA: Type.String({ pattern: '^[a-z_][a-z0-9_]*$', default: 'runs', description: 'Postgres schema owned by the runs service' }),
  RUNS_RESULTS_PREFIX: Type.String({ default: 'results', description: 'Object storage prefix under which each run writes its results' }),
  RUNS_STALL_TIMEOUT_S: Type.Integer({ minimum: 10, default: 900, description: 'A started run with no event for this long is failed as stalled' }),
  RUNS_SWEEP_INTERVAL_S: Type.Integer({ minimum: 1, default: 60, description: 'How often unfinished runs are checked for stalls' }),
  MIGRATE_ON_START: Type.Boolean({ default: false, description: 'Run database migrations at start-up (single mode does)' })
})
export type RunsConfig = Static<typeof RunsConfig>

export function loadRunsConfig (env: Record<string, string | undefined> = process.env): RunsConfig {
  return loadConfig(RunsConfig, env)
}
