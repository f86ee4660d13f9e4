/** Median, min and max of a list of samples (milliseconds or any other unit). */
export interface Summary { median: number, min: number, max: number, n: number }

export function summarize (samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b)
  const n = sorted.length
  if (n === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 }
  const mid = Math.floor(n / 2)
  const median = n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
  return { median, min: sorted[0]!, max: sorted[n - 1]!, n }
}

/** The q-quantile (0..1) of samples, nearest rank: p99 of 1,000 samples is the 990th smallest. */
export function quantile (samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)))
  return sorted[rank - 1]!
}

/** Variants measured in turn, ABBA order per repetition, so drift in the machine's load hits both alike. */
export function alternation<A, B> (variants: readonly [A, B], repetition: number): [A | B, A | B] {
  return repetition % 2 === 0 ? [variants[0], variants[1]] : [variants[1], variants[0]]
}
