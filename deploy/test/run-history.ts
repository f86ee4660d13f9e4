import { readFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Test } from 'tap'
import { messageSubject, resultKeys, RunEvents, RunUpdates, TERMINAL_STATUSES, type Run, type RunEvent, type RunStatus } from '@kalla/proto'
import type { Storage } from '@kalla/storage'
import { waitFor } from '@kalla/testing'

/** Everything the streams hold about one run: its events (matcher, cancel) and each state the runs service recorded. */
export interface RunHistory { events: RunEvent[], states: Run[] }

/** Reads a run's whole history from KALLA_EVENTS and KALLA_RUNS, in stream order. */
export async function runHistory (connection: NatsConnection, runId: string): Promise<RunHistory> {
  return {
    events: await readSubject<RunEvent>(connection, RunEvents.stream, messageSubject(RunEvents, runId)),
    states: await readSubject<Run>(connection, RunUpdates.stream, messageSubject(RunUpdates, runId))
  }
}

async function readSubject<T> (connection: NatsConnection, stream: string, subject: string): Promise<T[]> {
  const manager = await jetstreamManager(connection)
  const info = await manager.streams.info(stream, { subjects_filter: subject })
  const count = info.state.subjects?.[subject] ?? 0
  const consumer = await jetstream(connection).consumers.get(stream, { filter_subjects: subject })
  const values: T[] = []
  try {
    while (values.length < count) {
      const message = await consumer.next({ expires: 5000 })
      if (message === null) throw new Error(`${stream} holds ${count} messages on ${subject}, only ${values.length} could be read`)
      values.push(message.json<T>())
    }
  } finally {
    await consumer.delete().catch(() => {})
  }
  return values
}

/** What a run must have ended in. */
export interface Ending { status: Extract<RunStatus, 'completed' | 'failed' | 'cancelled'>, code?: string, counts?: Record<string, unknown> }

export const COUNT_FIELDS = ['matched_count', 'matched_left', 'matched_right', 'unmatched_left_count', 'unmatched_right_count', 'total_left', 'total_right'] as const
export const countsOf = (r: object): Record<string, unknown> => Object.fromEntries(COUNT_FIELDS.map((k) => [k, (r as Record<string, unknown>)[k]]))

/**
 * Checks that a run ended exactly once, in `ending`: one terminal state in its recorded history and
 * that one last, states strictly ordered, one ending event (a cancel may add the matcher's own
 * ENGINE_CANCELLED, which changes nothing), and the final state with the expected code and counts.
 */
export async function checkEndedOnce (t: Test, connection: NatsConnection, runId: string, ending: Ending): Promise<RunHistory> {
  // The last state is published right after it is recorded; wait for it rather than race it.
  const history = await waitFor(async () => {
    const read = await runHistory(connection, runId)
    return read.states.some((s) => TERMINAL_STATUSES.has(s.status)) ? read : undefined
  }, 30_000, `the final state of ${runId} in KALLA_RUNS`)
  const terminal = history.states.filter((s) => TERMINAL_STATUSES.has(s.status))
  t.same(terminal.map((s) => s.status), [ending.status], `${runId}: one terminal state in its history, ${ending.status}`)
  t.equal(history.states.at(-1)?.status, ending.status, `${runId}: nothing recorded after it`)
  const times = history.states.map((s) => Date.parse(s.updated_at))
  t.ok(times.every((time, i) => i === 0 || time > (times[i - 1] ?? 0)), `${runId}: states strictly ordered`)
  const last = terminal[0]
  if (ending.code !== undefined) t.equal(last?.error?.code, ending.code, `${runId}: ended with ${ending.code}`)
  if (ending.counts !== undefined) t.same(countsOf(last ?? {}), ending.counts, `${runId}: counts equal the ground truth`)
  const completions = history.events.filter((e) => e.type === 'completed')
  const failures = history.events.filter((e) => e.type === 'failed')
  if (ending.status === 'completed') {
    t.equal(completions.length, 1, `${runId}: one completion event`)
    t.equal(failures.length, 0, `${runId}: no failure event`)
  } else if (ending.status === 'failed') {
    t.same(failures.map((e) => e.type === 'failed' ? e.code : ''), [ending.code], `${runId}: one failure event`)
    t.equal(completions.length, 0, `${runId}: no completion event`)
  } else {
    t.equal(history.events.filter((e) => e.type === 'cancel_requested').length, 1, `${runId}: one cancel request`)
    t.ok(failures.every((e) => e.type === 'failed' && e.code === 'ENGINE_CANCELLED'), `${runId}: no failure but the matcher's own cancellation`)
    t.equal(completions.length, 0, `${runId}: no completion event`)
  }
  return history
}

/** The files a completed run leaves in storage: its results and, as every run the runs service starts is explained, its explanations. */
const RESULT_FILES = Object.values(resultKeys('', { explained: true })).map((key) => key.replace(/^\//, '')).sort()

/**
 * Checks that nothing of a run is left where it should not be: no work directory of any matcher
 * (`<data>/work/matcher/<run>-*`, waited for, since a killed matcher's is swept by the next), no
 * `.partial` file anywhere under the data directory, and in storage exactly the results of completed runs.
 */
export async function checkNothingLeft (t: Test, options: { dataDir: string, storage: Storage, runs: Record<string, RunStatus> }): Promise<void> {
  const workRoot = join(options.dataDir, 'work', 'matcher')
  const left = await waitFor(async () => {
    const entries = await readdir(workRoot).catch(() => [])
    return entries.length === 0 ? entries : undefined
  }, 30_000, 'every work directory to be removed').catch(async () => await readdir(workRoot))
  t.same(left, [], 'no work directory is left')
  const partial = (await readdir(options.dataDir, { recursive: true })).filter((p) => p.endsWith('.partial') || p.includes('.partial/'))
  t.same(partial, [], 'no partial file is left')
  for (const [runId, status] of Object.entries(options.runs)) {
    const keys: string[] = []
    for await (const key of options.storage.list(`results/${runId}/`)) keys.push(key.slice(`results/${runId}/`.length))
    t.same(keys.sort(), status === 'completed' ? RESULT_FILES : [], `${runId} (${status}): ${status === 'completed' ? 'its result files' : 'no result file'} in storage`)
  }
}

/**
 * CPU seconds (user + system) a process and its descendants have used so far, from /proc (Linux clock
 * ticks are 1/100 s): the matcher runs each job in a child process, whose work is the matcher's work.
 */
export async function cpuSeconds (pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined)
  if (stat === undefined) return 0
  // Fields after the command name, which is in parentheses and may hold spaces: utime, stime, cutime and
  // cstime (children that have ended) are 14 to 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const own = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) / 100
  let children = 0
  for (const child of await childPids(pid)) children += await cpuSeconds(child)
  return own + children
}

async function childPids (pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [])
  const lists = await Promise.all(tasks.map(async (task) => await readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '')))
  return lists.join(' ').split(/\s+/).filter(Boolean).map(Number)
}

/** Bytes of the files under `dir` right now (0 when it is gone); files removed meanwhile count nothing. */
export async function treeSize (dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])
  let total = 0
  for (const entry of entries) {
    if (entry.isFile()) total += await stat(join(entry.parentPath, entry.name)).then((s) => s.size, () => 0)
  }
  return total
}
