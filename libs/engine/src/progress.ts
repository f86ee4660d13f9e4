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
