import { isEngineError } from '@kalla/engine'
import type { FailureStage, Stage } from '@kalla/proto'
import { CodedError } from '@kalla/service'
import { isStorageError } from '@kalla/storage'

/** What went wrong, in the terms of a failed run event, and whether another attempt could succeed. */
export interface Failure {
  code: string
  message: string
  stage: FailureStage
  permanent: boolean
}

/** How far a job got: the matcher's own step, and the last stage the engine reported progress in. */
export interface Reached {
  stage: FailureStage
  engineStage?: Stage
}

/**
 * Describes anything a job attempt threw. The engine knows which of its failures are permanent; the
 * matcher's own coded errors are permanent when their status is 4xx; anything else is treated as
 * transient, since the same job may well succeed on another attempt or another replica.
 */
export function describeFailure (error: unknown, reached: Reached): Failure {
  const stage = reached.stage
  if (isEngineError(error)) {
    // The engine reports a cancellation or time limit as 'validating' whatever stage it interrupted.
    const engineStage = error.stage === 'validating' ? reached.engineStage ?? error.stage : error.stage
    return { code: error.code, message: error.message, stage: engineStage, permanent: error.permanent }
  }
  if (error instanceof CodedError) return { code: error.code, message: error.message, stage, permanent: error.statusCode < 500 }
  if (isStorageError(error)) {
    return { code: 'MATCHER_STORAGE_UNAVAILABLE', message: 'The object storage that holds uploads and results could not be used. The run is retried automatically; if it keeps failing, ask an administrator to check the storage.', stage, permanent: false }
  }
  return { code: 'MATCHER_INTERNAL', message: 'The matcher failed unexpectedly. The run is retried automatically; if it keeps failing, start it again later.', stage, permanent: false }
}
