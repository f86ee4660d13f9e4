import { basename, join } from 'node:path'
import { EngineError, type LocalJob, type LocalJobSource } from '@kalla/engine'
import type { Job, JobSource } from '@kalla/proto'
import { isStorageError, type Storage } from '@kalla/storage'
import { MatcherErrors } from '../errors.ts'

/** A storage that can name the file behind a key on local disk; a local store may offer it. */
interface LocalPaths {
  localPath: (key: string) => Promise<string>
}

function offersLocalPaths (storage: Storage): storage is Storage & LocalPaths {
  return storage.kind === 'local' && typeof (storage as Partial<LocalPaths>).localPath === 'function'
}

/**
 * Turns the queued job (file sources named by storage keys) into the engine's local job (file sources
 * as paths on this machine): the object's own file when the storage is local and can name it, otherwise
 * a download (streamed) into `dir`. Database sources pass through unchanged; the queued job is not changed.
 */
export async function stageInputs (storage: Storage, job: Job, dir: string, signal: AbortSignal): Promise<LocalJob> {
  const sources: LocalJobSource[] = []
  for (const source of job.sources) {
    if (source.type !== 'file') {
      sources.push(source)
      continue
    }
    const uri = await localInput(storage, source, dir)
    // A download cannot be interrupted halfway; a cancellation is honoured as soon as it ends.
    if (signal.aborted) throw new EngineError('ENGINE_CANCELLED', 'The run was cancelled.', { stage: 'staging' })
    sources.push({ ...source, uri })
  }
  return { ...job, sources }
}

async function localInput (storage: Storage, source: JobSource, dir: string): Promise<string> {
  try {
    if (offersLocalPaths(storage)) return await storage.localPath(source.uri)
    // One directory per side keeps the file's own name, which the engine's messages show to the user.
    const path = join(dir, source.side, basename(source.uri))
    await storage.download(source.uri, path)
    return path
  } catch (error) {
    throw inputError(source, error)
  }
}

function inputError (source: JobSource, error: unknown): Error {
  if (isStorageError(error, 'STORAGE_NOT_FOUND')) {
    return MatcherErrors.MATCHER_INPUT_NOT_FOUND(`The file for ${source.alias} (${source.uri}) is no longer in storage; uploads expire after a while. Upload the file again and start a new run.`, error)
  }
  if (isStorageError(error, 'STORAGE_KEY_INVALID')) {
    return MatcherErrors.MATCHER_INPUT_KEY_INVALID(`The file for ${source.alias} is recorded under a storage key that is not valid (${error.message}). Upload the file again and start a new run.`, error)
  }
  return MatcherErrors.MATCHER_STORAGE_UNAVAILABLE(`The file for ${source.alias} could not be read from storage. The run is retried automatically; if it keeps failing, ask an administrator to check the storage.`, error)
}
