import type { RunProgress } from '@kalla/proto'
import type { LocalJob } from '../job.ts'
import type { EngineOptions } from '../options.ts'
import type { RunResult } from '../source-summary.ts'

/** What the matcher's process tells a job's process: the job to run, then perhaps to stop it. */
export type ToJobProcess =
  | { type: 'run', job: LocalJob, options: EngineOptions }
  | { type: 'cancel' }

/** A failure as it crosses the process boundary: an engine error's code, message and stage. */
export interface FailureMessage { code: string, message: string, stage: string }

/** What a job's process reports: that it started the job, progress while it runs, then exactly one of done or failed. */
export type FromJobProcess =
  | { type: 'started' }
  | { type: 'progress', progress: RunProgress }
  | { type: 'done', result: RunResult }
  | { type: 'failed', failure: FailureMessage }
