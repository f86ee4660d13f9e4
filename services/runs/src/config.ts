import Type, { type Static } from 'typebox'
import { DatabaseEnv, loadConfig, serviceEnv } from '@kalla/service'
import { StorageEnv } from '@kalla/storage'

export const RunsConfig = Type.Object({
  ...serviceEnv(4003),
  ...DatabaseEnv,
  ...StorageEnv,
  RUNS_DB_SCHEMA: Type.String({ pattern: '^[a-z_][a-z0-9_]*$', default: 'runs', description: 'Postgres schema owned by the runs service' }),
  RUNS_RESULTS_PREFIX: Type.String({ default: 'results', description: 'Object storage prefix under which each run writes its results' }),
  RUNS_STALL_TIMEOUT_S: Type.Integer({ minimum: 10, default: 900, description: 'A started run with no event for this long is failed as stalled' }),
  RUNS_SWEEP_INTERVAL_S: Type.Integer({ minimum: 1, default: 60, description: 'How often unfinished runs are checked for stalls' }),
})
export type RunsConfig = Static<typeof RunsConfig>

export function loadRunsConfig (env: Record<string, string | undefined> = process.env): RunsConfig {
  return loadConfig(RunsConfig, env)
}
