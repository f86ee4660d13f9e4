import { isEngineError, readResultPage, type ResultQuery } from '@kalla/engine'
import { GetRun, type Run } from '@kalla/proto'
import { isStorageError } from '@kalla/storage'
import { ask, type GatewayDeps } from '../deps.ts'
import { GatewayErrors } from '../errors.ts'
import type { ResultFile } from './result-files.ts'
import type { ResultKind } from '@kalla/proto'

export interface GqlResultPage { kind: ResultKind, columns: { name: string, type: string }[], rows: Record<string, unknown>[], totalCount: number, offset: number }

/** One page (its range checked by the caller: page-args.ts) of a completed run's result file, rows JSON-safe (exact decimals and big integers as strings). */
export async function readPage (deps: GatewayDeps, runId: string, kind: ResultKind, page: { limit: number, offset: number }, query: ResultQuery = {}): Promise<GqlResultPage> {
  const key = completedResultKey(await ask(deps, GetRun, { run_id: runId }), kind)
  const file = await openResult(deps, runId, key)
  try {
    return { kind, ...await readResultPage(file.path, page, {}, query) }
  } catch (error) {
    if (isEngineError(error) && error.code === 'ENGINE_RESULT_COLUMN_UNKNOWN') throw GatewayErrors.GATEWAY_RESULT_COLUMN_UNKNOWN(error.message, error)
    if (isEngineError(error) && error.code === 'ENGINE_RESULT_FILTER_INVALID') throw GatewayErrors.GATEWAY_RESULT_FILTER_INVALID(error.message, error)
    throw error
  } finally {
    file.release()
  }
}

/** The storage key of a result file; only a completed run has results. */
export function completedResultKey (run: Run, kind: ResultKind): string {
  const key = run.outputs?.[kind]
  if (run.status !== 'completed' || key === undefined) {
    throw GatewayErrors.GATEWAY_RUN_NOT_COMPLETED(`Run ${run.run_id} is ${run.status.replace('_', ' ')}: results can be read once it has completed.`)
  }
  return key
}

/** The result file on local disk; a file gone from storage is reported as such, not as an internal error. */
export async function openResult (deps: GatewayDeps, runId: string, key: string): Promise<ResultFile> {
  try {
    return await deps.files.open(key)
  } catch (error) {
    if (isStorageError(error, 'STORAGE_NOT_FOUND')) throw GatewayErrors.GATEWAY_RESULTS_MISSING(`The results of run ${runId} are no longer stored: start the run again.`, error)
    throw error
  }
}
