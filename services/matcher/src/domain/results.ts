import type { Readable } from 'node:stream'
import type { FastifyBaseLogger } from 'fastify'
import type { Bus } from '@kalla/bus'
import { checker, RunCompleted, RunCounts, RunEvents, type RunOutputs } from '@kalla/proto'
import { isStorageError, type Storage } from '@kalla/storage'
import { MatcherErrors } from '../errors.ts'

const checkCompleted = checker(RunCompleted)
const PARQUET = 'application/vnd.apache.parquet'
const SUMMARY_MAX_BYTES = 16 * 1024 * 1024

/**
 * The completion of an earlier delivery of this run, read back from its stored summary.json (uploaded
 * last, so its presence means every result is stored). A summary that cannot be understood is treated
 * as absent: running the job again replaces it.
 */
export async function previousCompletion (storage: Storage, runId: string, keys: RunOutputs, log: FastifyBaseLogger): Promise<RunCompleted | undefined> {
  let text: string
  try {
    text = await readText(await storage.get(keys.summary))
  } catch (error) {
    if (isStorageError(error, 'STORAGE_NOT_FOUND')) return undefined
    throw outputError(error)
  }
  const completed = completionFrom(runId, keys, text)
  if (completed === undefined) log.warn({ key: keys.summary }, 'a stored summary.json cannot be understood; running the job again')
  return completed
}

function completionFrom (runId: string, keys: RunOutputs, text: string): RunCompleted | undefined {
  let summary: Record<string, unknown>
  try {
    summary = JSON.parse(text) as Record<string, unknown>
  } catch {
    return undefined
  }
  if (typeof summary !== 'object' || summary === null || summary.run_id !== runId) return undefined
  const counts = Object.fromEntries(Object.keys(RunCounts.properties).map((name) => [name, summary[name]]))
  const decisions = summary.decisions === undefined ? {} : { decisions: summary.decisions }
  const explain = summary.explain === undefined ? {} : { explain: summary.explain }
  const completed = { run_id: runId, ...counts, ...decisions, ...explain, outputs: keys, timings_ms: summary.timings_ms, at: summary.at }
  return checkCompleted.check(completed) ? completed : undefined
}

/**
 * Uploads a finished run's files under `keys`, summary.json last, and returns the completion with
 * the storage keys in place of the local paths.
 */
export async function storeResults (storage: Storage, local: RunCompleted, keys: RunOutputs): Promise<RunCompleted> {
  const files = (['matched', 'unmatched_left', 'unmatched_right', 'decided_left', 'decided_right', 'explain_left', 'explain_right'] as const).filter((name) => local.outputs[name] !== undefined && keys[name] !== undefined)
  try {
    await Promise.all(files.map((name) => storage.upload(local.outputs[name]!, keys[name]!, { contentType: PARQUET })))
    // Last: a redelivery takes a stored summary as proof that everything else is stored.
    await storage.upload(local.outputs.summary, keys.summary, { contentType: 'application/json' })
  } catch (error) {
    throw outputError(error)
  }
  return { ...local, outputs: keys }
}

/** Publishes the run's completion; the message id makes a repeat within the stream's window a no-op. */
export async function publishCompleted (bus: Bus, completed: RunCompleted): Promise<void> {
  await bus.publish(RunEvents, { type: 'completed', ...completed }, { subjectSuffix: completed.run_id, msgId: `${completed.run_id}:completed` })
}

function outputError (error: unknown): Error {
  if (isStorageError(error, 'STORAGE_KEY_INVALID')) {
    return MatcherErrors.MATCHER_OUTPUT_PATH_INVALID(`The run's results cannot be stored: its output location is not a valid storage key (${error.message}). Start the run again.`, error)
  }
  return MatcherErrors.MATCHER_STORAGE_UNAVAILABLE('The run\'s results could not be stored. The run is retried automatically; if it keeps failing, ask an administrator to check the storage.', error)
}

async function readText (stream: Readable): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string)
    size += buffer.length
    if (size > SUMMARY_MAX_BYTES) {
      stream.destroy()
      return ''
    }
    chunks.push(buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}
