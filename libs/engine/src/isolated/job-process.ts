import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { FailureStage, Stage } from '@kalla/proto'
import { EngineError, type EngineErrorCode } from '../errors.ts'
import type { LocalJob } from '../job.ts'
import { resolveEngineOptions } from '../options.ts'
import type { RunJobOptions } from '../run-job.ts'
import type { RunResult } from '../source-summary.ts'
import { timeoutError } from '../watchdog.ts'
import type { FailureMessage, FromJobProcess, ToJobProcess } from './messages.ts'

const ENTRY = fileURLToPath(new URL('./job-process-entry.ts', import.meta.url))
// Beyond the engine's own grace period: the job's process is killed only if its watchdog did not end it.
const KILL_MARGIN_MS = 300
// A process that has sent its outcome exits at once; one that does not is killed after this.
const EXIT_WAIT_MS = 2000

/**
 * Runs a job as `runJob` does, but in a process of its own, so that whatever DuckDB does the job can be
 * ended: a cancel or a time limit the engine's interrupts cannot enforce kills the process, a job that
 * runs the machine out of memory takes only its own process down, and nothing of it keeps running after
 * the promise settles (it settles once the process has exited).
 * @example const done = await runJobInProcess(job, { memoryLimit: '4GB', signal, onProgress })
 */
export async function runJobInProcess (job: LocalJob, options: RunJobOptions = {}): Promise<RunResult> {
  const { signal, onProgress, ...engineOptions } = options
  const settings = resolveEngineOptions(engineOptions)
  const child = takeProcess()
  const watch = new JobProcessWatch(child, onProgress)
  const onAbort = (): void => { watch.stop(new EngineError('ENGINE_CANCELLED', 'The run was cancelled.'), settings.interruptGraceMs + KILL_MARGIN_MS) }
  signal?.addEventListener('abort', onAbort, { once: true })
  // The time limit counts from the moment the job starts, as the engine's own does: a process slow to
  // start on a busy machine is not a slow job.
  let backstop: NodeJS.Timeout | undefined
  watch.onStarted = () => {
    if (settings.timeoutMs > 0) backstop = setTimeout(() => { watch.stop(timeoutError(settings.timeoutMs), 0) }, settings.timeoutMs + settings.interruptGraceMs + KILL_MARGIN_MS)
  }
  try {
    watch.send({ type: 'run', job, options: engineOptions })
    if (signal?.aborted === true) onAbort()
    return await watch.outcome
  } finally {
    clearTimeout(backstop)
    signal?.removeEventListener('abort', onAbort)
  }
}

/** Follows one job's process: its progress, its outcome, and how it ended. */
class JobProcessWatch {
  readonly outcome: Promise<RunResult>
  onStarted: () => void = () => {}
  private readonly child: ChildProcess
  private reported: { result: RunResult } | { failure: FailureMessage } | undefined
  private stopReason: EngineError | undefined
  private killedByUs = false
  private stage: Stage | undefined
  private readonly timers: NodeJS.Timeout[] = []

  constructor (child: ChildProcess, onProgress: RunJobOptions['onProgress']) {
    this.child = child
    this.outcome = new Promise((resolve, reject) => {
      child.on('message', (message: FromJobProcess) => {
        if (message.type === 'started') {
          this.onStarted()
          return
        }
        if (message.type === 'progress') {
          this.stage = message.progress.stage
          onProgress?.(message.progress)
          return
        }
        this.reported ??= message.type === 'done' ? { result: message.result } : { failure: message.failure }
        this.killAfter(EXIT_WAIT_MS)
      })
      child.once('error', (error) => { this.stop(new EngineError('ENGINE_INTERNAL', `The run's process could not be started: ${error.message}`, { cause: error }), 0) })
      child.once('exit', (code, signal) => {
        for (const timer of this.timers) clearTimeout(timer)
        const reported = this.reported
        // A result reported before a stop is a finished job: the stop came too late to matter.
        if (reported !== undefined && 'result' in reported) resolve(reported.result)
        else reject(this.failure(reported, code, signal))
      })
    })
  }

  send (message: ToJobProcess): void {
    if (this.child.connected) this.child.send(message)
  }

  /** Asks the job to stop with `reason`, and kills its process if it has not ended `afterMs` later. */
  stop (reason: EngineError, afterMs: number): void {
    this.stopReason ??= reason
    this.send({ type: 'cancel' })
    this.killAfter(afterMs)
  }

  private killAfter (ms: number): void {
    this.timers.push(setTimeout(() => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return
      this.killedByUs = true
      this.child.kill('SIGKILL')
    }, ms))
  }

  private failure (reported: JobProcessWatch['reported'], code: number | null, signal: NodeJS.Signals | null): EngineError {
    const stage: FailureStage = this.stage ?? 'validating'
    if (this.stopReason !== undefined) {
      // The job's own account of why it stopped (cancelled, timed out) is the better one when it gave it.
      const own = reported !== undefined && 'failure' in reported ? rebuild(reported.failure) : undefined
      const error = own?.code === this.stopReason.code ? own : this.stopReason
      if (error.stage === 'validating') error.stage = stage
      return error
    }
    if (reported !== undefined && 'failure' in reported) return rebuild(reported.failure)
    if (signal === 'SIGKILL' && !this.killedByUs) {
      return new EngineError('ENGINE_OUT_OF_MEMORY', 'The run\'s process was ended by the system, most often because the machine ran out of memory. Lower the memory limit (ENGINE_MEMORY_LIMIT, or --memory-limit for the CLI) so the run spills to disk instead, run fewer jobs at once, or give the matcher more memory.', { stage })
    }
    return new EngineError('ENGINE_INTERNAL', `The run's process ended unexpectedly (${signal ?? `exit code ${code ?? 'unknown'}`}).`, { stage })
  }
}

// One process started ahead and waiting (it has loaded the engine), so a job does not wait for a start.
let spare: ChildProcess | undefined

function takeProcess (): ChildProcess {
  const ready = spare !== undefined && spare.connected && spare.exitCode === null ? spare : undefined
  const child = ready ?? startProcess()
  child.ref()
  child.channel?.ref()
  spare = startProcess()
  // A waiting process keeps nobody alive: a CLI or a test ends when its work does.
  spare.unref()
  spare.channel?.unref()
  return child
}

function startProcess (): ChildProcess {
  const child = fork(ENTRY, [], { execArgv: [], env: jobEnvironment(), serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  child.on('error', () => {})
  return child
}

// The job needs no setting of the process that starts it, and none of its secrets (bus credentials,
// resolve keys, database URLs): the job carries all it reads.
const PASSED_ON = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'NODE_COMPILE_CACHE']

function jobEnvironment (): NodeJS.ProcessEnv {
  return Object.fromEntries(PASSED_ON.flatMap((name) => process.env[name] === undefined ? [] : [[name, process.env[name]]]))
}

function rebuild (failure: FailureMessage): EngineError {
  return new EngineError(failure.code as EngineErrorCode, failure.message, { stage: failure.stage as FailureStage })
}
