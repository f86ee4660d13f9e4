import type { DuckDBConnection } from '@duckdb/node-api'

/** Reports a fraction (0..1) of the current step. */
export type FractionReporter = (fraction: number) => void

/**
 * Runs `work` while reporting DuckDB's own progress for the connection every `intervalMs`,
 * so a long read or join still reports at least twice a second.
 */
export async function withQueryProgress<T> (
  connection: DuckDBConnection,
  intervalMs: number,
  report: FractionReporter,
  work: () => Promise<T>
): Promise<T> {
  // An interrupt only stops a running query: one that starts after the abort must not start at all.
  cancelled.get(connection)?.throwIfAborted()
  let last = 0
  const timer = setInterval(() => {
    const percentage = connection.progress.percentage
    if (percentage >= 0) last = Math.max(last, Math.min(percentage / 100, 0.99))
    report(last)
  }, intervalMs)
  try {
    return await work()
  } finally {
    clearInterval(timer)
  }
}

const cancelled = new WeakMap<DuckDBConnection, AbortSignal>()

/** Ties a connection to the job's abort signal, so no new query starts once the job is cancelled. */
export function bindCancellation (connection: DuckDBConnection, signal: AbortSignal): void {
  cancelled.set(connection, signal)
}

/**
 * Re-sends the latest progress whenever nothing was reported for `intervalMs`, so consumers hear from
 * a job at least that often even during steps DuckDB cannot measure (typing, key checks, counting).
 */
export class Heartbeat<T> {
  private latest: T | undefined
  private lastSent = 0
  private readonly timer: NodeJS.Timeout
  private readonly send: (value: T) => void

  constructor (intervalMs: number, send: (value: T) => void) {
    this.send = send
    this.timer = setInterval(() => {
      if (this.latest !== undefined && performance.now() - this.lastSent >= intervalMs) this.push(this.latest)
    }, Math.max(10, Math.floor(intervalMs / 2)))
  }

  push (value: T): void {
    this.latest = value
    this.lastSent = performance.now()
    this.send(value)
  }

  stop (): void {
    clearInterval(this.timer)
  }
}
