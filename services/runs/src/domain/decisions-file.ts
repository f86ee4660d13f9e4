import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { decisionLines, type JobDecisions, type JobDecisionsFile } from '@kalla/proto'
import type { Storage } from '@kalla/storage'
import { RunsErrors } from '../errors.ts'

/** The storage key of a run's decisions file, next to the results the matcher writes for it. */
export function decisionsFileKey (outputPath: string): string {
  return `${outputPath.replace(/\/+$/, '')}/decisions.ndjson`
}

/**
 * Writes a run's decision set to storage as NDJSON (one line per decided record, see JobDecisionsFile) and
 * says where, with its line count and hash; undefined when there is nothing to carry over. The set goes
 * to storage rather than into the job because a message has a size limit a recipe's decisions can pass.
 */
export async function storeDecisionsFile (storage: Storage, key: string, decisions: JobDecisions): Promise<JobDecisionsFile | undefined> {
  if (!hasLines(decisions)) return undefined
  const hash = createHash('sha256')
  let lines = 0
  const body = Readable.from((function * () {
    for (const line of decisionLines(decisions)) {
      const text = JSON.stringify(line) + '\n'
      hash.update(text)
      lines++
      yield text
    }
  })())
  try {
    await storage.put(key, body, { contentType: 'application/x-ndjson' })
  } catch (error) {
    throw RunsErrors.RUNS_STORAGE_UNAVAILABLE('The run could not be started: the earlier decisions on this recipe could not be written to storage for it. Try again; if it keeps failing, ask an administrator to check the storage.', error)
  }
  return { key, lines, sha256: hash.digest('hex') }
}

function hasLines (d: JobDecisions): boolean {
  return d.manual_matches.length + d.unmatches.length + d.write_offs.left.length + d.write_offs.right.length > 0
}
