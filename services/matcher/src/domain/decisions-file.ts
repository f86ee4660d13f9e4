import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { join } from 'node:path'
import type { JobDecisionsFile } from '@kalla/proto'
import { isStorageError, type Storage } from '@kalla/storage'
import { MatcherErrors } from '../errors.ts'

const NEWLINE = 0x0a

/**
 * Downloads the run's decisions file into `dir` and checks it against the job's line count and hash before
 * the engine reads it, so a file removed, cut short or changed in storage fails the run instead of silently
 * dropping decisions. Returns its local path.
 */
export async function stageDecisionsFile (storage: Storage, file: JobDecisionsFile, dir: string): Promise<string> {
  const path = join(dir, 'decisions.ndjson')
  try {
    await storage.download(file.key, path)
  } catch (error) {
    if (isStorageError(error, 'STORAGE_NOT_FOUND') || isStorageError(error, 'STORAGE_KEY_INVALID')) {
      throw MatcherErrors.MATCHER_DECISIONS_NOT_FOUND('The earlier decisions on this recipe (manual matches, unmatches, write-offs) that the run must apply are no longer in storage, so it cannot be reconciled as decided. Start a new run of the recipe: it writes them again.', error)
    }
    throw MatcherErrors.MATCHER_STORAGE_UNAVAILABLE('The earlier decisions on this recipe could not be read from storage. The run is retried automatically; if it keeps failing, ask an administrator to check the storage.', error)
  }
  const found = await digest(path)
  if (found.lines !== file.lines || found.sha256 !== file.sha256) {
    throw MatcherErrors.MATCHER_DECISIONS_CORRUPT(`The earlier decisions on this recipe were changed in storage after the run started (${found.lines} decided records where the run recorded ${file.lines}, or different content), so they cannot be trusted. Start a new run of the recipe: it writes them again.`)
  }
  return path
}

/** The SHA-256 and line count of a local file, in one streaming read. */
async function digest (path: string): Promise<{ lines: number, sha256: string }> {
  const hash = createHash('sha256')
  let lines = 0
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk)
    for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) lines++
  }
  return { lines, sha256: hash.digest('hex') }
}
