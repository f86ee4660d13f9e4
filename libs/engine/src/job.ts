import type { Job, JobSource } from '@kalla/proto'

/**
 * A source as the engine reads it: a file source's uri is a path on this machine (or a file:// URL),
 * not the storage key the queued job carries; a database source's uri is its connection URI (for a
 * registered source, the one the worker resolved from the job's `source:<alias>` just before running).
 */
export interface LocalJobSource extends Omit<JobSource, 'uri'> {
  uri: string
}

/**
 * The job the engine runs: the queued `Job` (proto) once its files are on local disk. The engine only
 * reads it; the keys it resolves and the counts it finds live in its own state and in the result.
 */
export interface LocalJob extends Omit<Job, 'sources' | 'decisions_file'> {
  sources: LocalJobSource[]
  /** The decisions file (JobDecisionsFile) on local disk, already checked against its line count and hash. */
  decisions_path?: string
}
