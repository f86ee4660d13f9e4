import Type, { type Static } from 'typebox'
import { loadConfig, parseKey, serviceEnv } from '@kalla/service'
import { StorageEnv } from '@kalla/storage'
import { parseSize } from '@kalla/engine'
import type { MatcherDeps } from './domain/deps.ts'

const SIZE = '^[0-9]+(\\.[0-9]+)?\\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$'

export const MatcherConfig = Type.Object({
  ...serviceEnv(4004),
  ...StorageEnv,
  KALLA_RESOLVE_KEY: Type.String({ minLength: 1, description: 'Key shared with the sources service: registered sources are resolved with it just before a job connects (32 bytes as 64 hex characters or base64)' }),
  KALLA_WORK_DIR: Type.Optional(Type.String({ minLength: 1, description: 'Where each job gets its own directory for inputs, DuckDB spill files and results (default: the OS temporary directory)' })),
  MATCHER_ACK_WAIT_S: Type.Integer({ minimum: 5, default: 15, description: 'How long a job may go without a sign of life before JetStream hands it to another matcher; a running job signals every third of it, so a killed matcher\'s job resumes elsewhere after about this long' }),
  MATCHER_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 64, default: 1, description: 'Jobs one matcher runs at once; a job is heavy, so scale with replicas' }),
  MATCHER_PROGRESS_INTERVAL_MS: Type.Integer({ minimum: 50, default: 500, description: 'At most one progress event per run this often, plus one on every stage change' }),
  MATCHER_SHUTDOWN_GRACE_S: Type.Number({ minimum: 0, default: 25, description: 'On shutdown, how long to wait for the job in flight before handing it back to the queue' }),
  MATCHER_SWEEP_INTERVAL_S: Type.Number({ minimum: 1, default: 300, description: 'How often work directories left by ended or killed jobs are removed (also at start)' }),
  MATCHER_LAG_INTERVAL_S: Type.Number({ minimum: 1, default: 15, description: 'How often the queue lag gauge is refreshed' }),
  ENGINE_MEMORY_LIMIT: Type.String({ pattern: SIZE, default: '2GB', description: 'DuckDB memory limit per job; work beyond it spills to the work directory' }),
  ENGINE_THREADS: Type.Optional(Type.Integer({ minimum: 1, description: 'DuckDB threads per job (default: the number of cores)' })),
  ENGINE_TIMEOUT_S: Type.Integer({ minimum: 0, default: 3600, description: 'Stop a job that runs longer than this with ENGINE_TIMEOUT (0 = no limit)' }),
  ENGINE_MAX_SPILL: Type.String({ pattern: SIZE, default: '100GB', description: 'Most temporary disk (DuckDB spill) one job may use, stopped beyond with ENGINE_SPILL_LIMIT; never more than half the free disk of the work directory when the job starts' }),
  ENGINE_MAX_MATCHED_ROWS: Type.Integer({ minimum: 0, default: 0, description: 'Fail a run whose match SQL returns more rows than this with ENGINE_OUTPUT_LIMIT (0 = no limit)' }),
  ENGINE_MAX_OUTPUT_SIZE: Type.Optional(Type.String({ pattern: SIZE, description: 'Fail a run whose result files together would be larger than this with ENGINE_OUTPUT_LIMIT (default: no limit)' }))
})
export type MatcherConfig = Static<typeof MatcherConfig>

/** The limits every job runs with, from the configuration; the work directory is each job's own. */
export function engineLimits (config: MatcherConfig): MatcherDeps['engine'] {
  return {
    memoryLimit: config.ENGINE_MEMORY_LIMIT,
    threads: config.ENGINE_THREADS,
    timeoutMs: config.ENGINE_TIMEOUT_S * 1000,
    maxTempDirectorySize: config.ENGINE_MAX_SPILL,
    maxMatchedRows: config.ENGINE_MAX_MATCHED_ROWS,
    maxOutputBytes: config.ENGINE_MAX_OUTPUT_SIZE === undefined ? 0 : parseSize(config.ENGINE_MAX_OUTPUT_SIZE)
  }
}

export function loadMatcherConfig (env: Record<string, string | undefined> = process.env): MatcherConfig {
  const config = loadConfig(MatcherConfig, env)
  parseKey('KALLA_RESOLVE_KEY', config.KALLA_RESOLVE_KEY)
  return config
}
