import { basename, join } from 'node:path'
import { EngineError, type LocalJob, type LocalJobSource } from '@kalla/engine'
import { SOURCE_REFERENCE, type Job, type JobSource } from '@kalla/proto'
import { isStorageError, type Storage } from '@kalla/storage'
import { MatcherErrors } from '../errors.ts'
import { stageDecisionsFile } from './decisions-file.ts'
import type { MatcherDeps } from './deps.ts'
import { resolveRegistered } from './registered-sources.ts'

/** A storage that can name the file behind a key on local disk; a local store may offer it. */
interface LocalPaths {
  localPath: (key: string) => Promise<string>
}

function offersLocalPaths (storage: Storage): storage is Storage & LocalPaths {
  return storage.kind === 'local' && typeof (storage as Partial<LocalPaths>).localPath === 'function'
}

/**
 * Turns the queued job (file sources named by storage keys, registered sources by their `source:<alias>` reference) into the
 * engine's local job (file sources as paths on this machine, registered sources with their URI): a file
 * is the object's own file when the storage is local and can name it, otherwise a download (streamed)
 * into `dir`; a registered source is resolved now (see registered-sources.ts). Other database sources
 * pass through unchanged; the queued job is not changed.
 */
export async function stageInputs (deps: Pick<MatcherDeps, 'storage' | 'bus' | 'access'>, job: Job, dir: string, signal: AbortSignal): Promise<LocalJob> {
  const sources: LocalJobSource[] = []
  for (const source of job.sources) {
    const reference = SOURCE_REFERENCE.exec(source.uri)?.[1]
    if (reference !== undefined) {
      sources.push({ ...source, uri: await resolveRegistered(deps, source, reference) })
      continue
    }
    if (source.type !== 'file') {
      sources.push(source)
      continue
    }
    const uri = await localInput(deps.storage, source, dir)
    // A download cannot be interrupted halfway; a cancellation is honoured as soon as it ends.
    if (signal.aborted) throw new EngineError('ENGINE_CANCELLED', 'The run was cancelled.', { stage: 'staging' })
    sources.push({ ...source, uri })
  }
  const { decisions_file: decisionsFile, ...queued } = job
  if (decisionsFile === undefined) return { ...queued, sources }
  return { ...queued, sources, decisions_path: await stageDecisionsFile(deps.storage, decisionsFile, dir) }
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
