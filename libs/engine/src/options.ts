import { availableParallelism, tmpdir } from 'node:os'

/** How the engine uses the machine. Every field has a default that suits a laptop. */
export interface EngineOptions {
  /** DuckDB memory limit per job, e.g. "4GB". Work beyond it spills to the job's temporary directory. */
  memoryLimit?: string
  /** Threads per job; defaults to the number of cores. */
  threads?: number
  /** Where each job gets its own temporary directory (spill files, staged database extracts). */
  workDir?: string
  /** Largest amount of spill on disk per job, e.g. "100GB". */
  maxTempDirectorySize?: string
  /** How often progress is reported while a long step runs, in milliseconds. */
  progressIntervalMs?: number
  /** Stop a job that runs longer than this, in milliseconds (0 = no limit). */
  timeoutMs?: number
}

export type ResolvedEngineOptions = Required<EngineOptions>

export function resolveEngineOptions (options: EngineOptions = {}): ResolvedEngineOptions {
  return {
    memoryLimit: options.memoryLimit ?? '2GB',
    threads: options.threads ?? availableParallelism(),
    workDir: options.workDir ?? tmpdir(),
    maxTempDirectorySize: options.maxTempDirectorySize ?? '100GB',
    progressIntervalMs: options.progressIntervalMs ?? 250,
    timeoutMs: options.timeoutMs ?? 0
  }
}
