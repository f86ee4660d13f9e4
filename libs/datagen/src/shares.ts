import type { Rng } from './prng.ts'

/** The kinds of record groups a dataset mixes; see the package README for what each one looks like. */
export const PATTERNS = [
  'exact', 'withinTolerance', 'beyondTolerance', 'late', 'split', 'batch', 'cross', 'orphanInvoice', 'orphanPayment'
] as const
export type Pattern = typeof PATTERNS[number]

/**
 * How much of the dataset each pattern makes up. Every share but orphanPayment is a fraction of the
 * invoices (normalised, so they need not add up to 1); orphanPayment is the number of orphan payments
 * per invoice.
 */
export type Shares = Record<Pattern, number>

export const DEFAULT_SHARES: Readonly<Shares> = Object.freeze({
  exact: 0.4,
  withinTolerance: 0.1,
  beyondTolerance: 0.05,
  late: 0.07,
  split: 0.1,
  batch: 0.12,
  cross: 0.08,
  orphanInvoice: 0.08,
  orphanPayment: 0.03
})

// Groups are drawn one at a time, so a pattern that makes 3.5 invoices per group is drawn
// 3.5 times less often than a one-invoice pattern to end up with the same share of invoices.
const MEAN_INVOICES: Readonly<Record<Pattern, number>> = {
  exact: 1,
  withinTolerance: 1,
  beyondTolerance: 1,
  late: 1,
  split: 1,
  batch: 3.5,
  cross: 3,
  orphanInvoice: 1,
  orphanPayment: 0
}

/** The fewest invoices a group of each pattern needs. */
export const MIN_INVOICES: Readonly<Record<Pattern, number>> = { ...MEAN_INVOICES, batch: 2, cross: 2 }

/** Fills in the defaults and rejects shares that cannot describe a dataset. */
export function resolveShares (shares: Partial<Shares> = {}): Shares {
  const resolved = { ...DEFAULT_SHARES, ...shares }
  for (const pattern of PATTERNS) {
    const share = resolved[pattern]
    if (!Number.isFinite(share) || share < 0) throw new RangeError(`The share of ${pattern} must be a number >= 0, not ${share}`)
  }
  if (invoiceShareTotal(resolved) <= 0) throw new RangeError('At least one pattern that makes invoices needs a share above 0')
  return resolved
}

/** Returns a function that draws the pattern of the next group with the given shares. */
export function patternPicker (shares: Shares): (rng: Rng) => Pattern {
  const invoiceTotal = invoiceShareTotal(shares)
  const cumulative: number[] = []
  let total = 0
  for (const pattern of PATTERNS) {
    const mean = MEAN_INVOICES[pattern]
    // One orphan-payment group per draw must yield `share` orphans per invoice once the invoice shares are normalised.
    total += mean === 0 ? shares[pattern] * invoiceTotal : shares[pattern] / mean
    cumulative.push(total)
  }
  return (rng) => {
    const x = rng.next() * total
    const index = cumulative.findIndex((limit) => x < limit)
    return PATTERNS[index] ?? 'exact'
  }
}

function invoiceShareTotal (shares: Shares): number {
  return PATTERNS.reduce((sum, pattern) => sum + (MEAN_INVOICES[pattern] > 0 ? shares[pattern] : 0), 0)
}
