import type { DuckDBConnection } from '@duckdb/node-api'
import { EngineError, spillLimitError } from './errors.ts'
import { directorySize, formatSize, outputLimitError } from './limits.ts'

/** A directory whose size is bounded while a job runs, and the error it ends the job with. */
export interface WatchedDirectory {
  dir: string
  limitBytes: number
  error: () => EngineError
}

export interface WatchdogOptions {
  /** The caller's cancellation. */
  signal?: AbortSignal
  /** Time limit of the whole job (0 = none). */
  timeoutMs: number
  /** How long DuckDB gets to stop after an interrupt before the job is given up on. */
  graceMs: number
  /** How often watched directories are measured. */
  pollMs: number
}

/**
 * Enforces a job's limits from outside DuckDB: on cancel, timeout or a watched directory growing past
 * its limit it interrupts the connection, again and again until the job ends (an interrupt only stops
 * the statement running at that moment), and `guard` gives up on the work if DuckDB has not stopped
 * within the grace period, so the job ends even when a statement ignores the interrupt.
 */
export class Watchdog {
  readonly signal: AbortSignal
  private readonly controller = new AbortController()
  private readonly options: WatchdogOptions
  private readonly timers: NodeJS.Timeout[] = []
  private readonly watched: WatchedDirectory[] = []
  private readonly connections: DuckDBConnection[] = []
  private stopReason: EngineError | undefined
  private measuring = false
  private readonly onCancel = (): void => { this.stop(new EngineError('ENGINE_CANCELLED', 'The run was cancelled.')) }

  constructor (options: WatchdogOptions) {
    this.options = options
    this.signal = this.controller.signal
    options.signal?.addEventListener('abort', this.onCancel, { once: true })
    if (options.signal?.aborted === true) this.onCancel()
    if (options.timeoutMs > 0) this.timers.push(setTimeout(() => { this.stop(timeoutError(options.timeoutMs)) }, options.timeoutMs))
    this.timers.push(setInterval(() => { this.measure().catch(() => {}) }, options.pollMs))
  }

  /** Why the job was stopped, if it was. */
  reason (): EngineError | undefined {
    return this.stopReason
  }

  /** A connection to interrupt (each the job runs statements on); interrupted at once if the job is already stopped. */
  attach (connection: DuckDBConnection): void {
    this.connections.push(connection)
    if (this.signal.aborted) connection.interrupt()
  }

  watch (directory: WatchedDirectory): void {
    this.watched.push(directory)
  }

  /** Stops the job with `reason` (the first reason wins). */
  stop (reason: EngineError): void {
    if (this.signal.aborted) return
    this.stopReason = reason
    this.controller.abort()
    this.interrupt()
    this.timers.push(setInterval(() => { this.interrupt() }, 100))
  }

  /** Resolves or rejects as `work` does, or rejects with the stop reason once the grace period after a stop has passed. */
  async guard<T> (work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    let giveUp = (): void => {}
    const givenUp = new Promise<never>((_resolve, reject) => {
      giveUp = () => { timer = setTimeout(() => { reject(this.stopReason) }, this.options.graceMs) }
    })
    if (this.signal.aborted) giveUp()
    else this.signal.addEventListener('abort', giveUp, { once: true })
    // Work given up on may still fail later, when DuckDB finally stops: nobody waits for it then.
    work.catch(() => {})
    try {
      return await Promise.race([work, givenUp])
    } finally {
      clearTimeout(timer)
      this.signal.removeEventListener('abort', giveUp)
    }
  }

  dispose (): void {
    for (const timer of this.timers) clearInterval(timer)
    this.options.signal?.removeEventListener('abort', this.onCancel)
  }

  private interrupt (): void {
    for (const connection of this.connections) connection.interrupt()
  }

  private async measure (): Promise<void> {
    if (this.measuring || this.signal.aborted) return
    this.measuring = true
    try {
      for (const directory of this.watched) {
        if (await directorySize(directory.dir) > directory.limitBytes) this.stop(directory.error())
      }
    } finally {
      this.measuring = false
    }
  }
}

export function timeoutError (timeoutMs: number): EngineError {
  return new EngineError('ENGINE_TIMEOUT', `The run took longer than its time limit of ${Math.round(timeoutMs / 1000)} s and was stopped. Narrow the match, or raise the time limit (ENGINE_TIMEOUT_S on the matcher, --timeout for the CLI).`)
}

/** The spill limit as the error a watched temporary directory ends the job with. */
export function spillWatch (dir: string, limitBytes: number): WatchedDirectory {
  return { dir, limitBytes, error: () => spillLimitError('validating', undefined, formatSize(limitBytes)) }
}

/** The output size limit as a watched result directory: result files are stopped while they are written. */
export function outputWatch (dir: string, limitBytes: number): WatchedDirectory {
  return { dir, limitBytes, error: () => outputLimitError(`${formatSize(limitBytes)} of result files`) }
}
