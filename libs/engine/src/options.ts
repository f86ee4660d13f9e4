import { availableParallelism, tmpdir } from 'node:os'

/** How the engine uses the machine. Every field has a default that suits a laptop. */
export interface EngineOptions {
  /** DuckDB memory limit per job, e.g. "4GB". Work beyond it spills to the job's temporary directory. */
  memoryLimit?: string
  /** Threads per job; defaults to the number of cores. */
  threads?: number
  /** Where each job gets its own temporary directory (spill files, staged database extracts). */
  workDir?: string
  /**
   * Largest amount of temporary disk (DuckDB spill) per job, e.g. "20GB". A job never gets more than
   * half the disk free in the work directory when it starts, whatever this says.
   */
  maxTempDirectorySize?: string
  /** How often progress is reported while a long step runs, in milliseconds. */
  progressIntervalMs?: number
  /** Stop a job that runs longer than this, in milliseconds (0 = no limit; default one hour). */
  timeoutMs?: number
  /** After an interrupt (cancel, timeout, spill limit), how long DuckDB gets to stop before the job is given up on. */
  interruptGraceMs?: number
  /** Fail a run whose match SQL returns more rows than this (0 = no limit). */
  maxMatchedRows?: number
  /** Fail a run whose result files together would be larger than this many bytes (0 = no limit). */
  maxOutputBytes?: number
}

/** A run's time limit unless told otherwise: one hour. */
export const DEFAULT_TIMEOUT_MS = 3_600_000

export type ResolvedEngineOptions = Required<EngineOptions>

export function resolveEngineOptions (options: EngineOptions = {}): ResolvedEngineOptions {
  return {
    memoryLimit: options.memoryLimit ?? '2GB',
    threads: options.threads ?? availableParallelism(),
    workDir: options.workDir ?? tmpdir(),
    maxTempDirectorySize: options.maxTempDirectorySize ?? '100GB',
    progressIntervalMs: options.progressIntervalMs ?? 250,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    interruptGraceMs: options.interruptGraceMs ?? 1500,
    maxMatchedRows: options.maxMatchedRows ?? 0,
    maxOutputBytes: options.maxOutputBytes ?? 0
  }
}
