import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadTables } from './load-csv.ts'
import { batch, cross, oneToOne, oneToOneWindow, split, type Outcome } from './truth.ts'

/** The recipes in examples/recipes whose results the ground truth predicts. */
export const RECIPES = ['one-to-one', 'one-to-one-window', 'split', 'batch', 'cross'] as const
export type RecipeName = typeof RECIPES[number]

const TRUTHS = { 'one-to-one': oneToOne, 'one-to-one-window': oneToOneWindow, split, batch, cross } as const

/** What a reconciliation run of one recipe must report; keys are invoice_id (left) and payment_id (right). */
export interface Expected {
  /** Rows of the matched output. */
  matched_count: number
  /** Distinct left keys that appear in the matched output. */
  matched_left: number
  matched_right: number
  unmatched_left_count: number
  unmatched_right_count: number
  total_left: number
  total_right: number
  /** sha256 (hex) of the unmatched keys, sorted by UTF-16 code units and joined with "\n". */
  unmatched_left_keys_sha256: string
  unmatched_right_keys_sha256: string
  /** Present with { keys: true }. */
  unmatched_left_keys?: string[]
  unmatched_right_keys?: string[]
}

export interface ExpectedOptions {
  /** Also list every unmatched key (large for large datasets). */
  keys?: boolean
}

/**
 * The results every recipe must produce on an invoices/payments pair of CSV files, computed from the
 * rows in the files with integer cents, independently of how they were generated and of any SQL engine.
 */
export async function expectedResults (invoicesCsvPath: string, paymentsCsvPath: string, options: ExpectedOptions = {}): Promise<Record<RecipeName, Expected>> {
  const { invoices, payments } = await loadTables(invoicesCsvPath, paymentsCsvPath)
  const results: Partial<Record<RecipeName, Expected>> = {}
  for (const recipe of RECIPES) {
    results[recipe] = summarize(TRUTHS[recipe](invoices, payments), invoices.ids, payments.ids, options.keys === true)
  }
  return results as Record<RecipeName, Expected>
}

/** Writes expected.json into outDir and returns its path. */
export async function writeExpected (outDir: string, expected: Record<RecipeName, Expected>): Promise<string> {
  const path = join(outDir, 'expected.json')
  await writeFile(path, `${JSON.stringify(expected, null, 2)}\n`)
  return path
}

function summarize (outcome: Outcome, leftIds: readonly string[], rightIds: readonly string[], withKeys: boolean): Expected {
  const left = unmatched(outcome.left, leftIds)
  const right = unmatched(outcome.right, rightIds)
  return {
    matched_count: outcome.rows,
    matched_left: leftIds.length - left.length,
    matched_right: rightIds.length - right.length,
    unmatched_left_count: left.length,
    unmatched_right_count: right.length,
    total_left: leftIds.length,
    total_right: rightIds.length,
    unmatched_left_keys_sha256: keysSha256(left),
    unmatched_right_keys_sha256: keysSha256(right),
    ...(withKeys ? { unmatched_left_keys: left, unmatched_right_keys: right } : {})
  }
}

function unmatched (matched: Uint8Array, ids: readonly string[]): string[] {
  const keys = ids.filter((_, row) => matched[row] !== 1)
  // The default sort compares UTF-16 code units, which for these ASCII keys is byte order too.
  return keys.sort()
}

/** sha256 hex of the keys joined with "\n", hashed piece by piece to avoid one huge string. */
export function keysSha256 (sortedKeys: readonly string[]): string {
  const hash = createHash('sha256')
  sortedKeys.forEach((key, i) => hash.update(i === 0 ? key : `\n${key}`))
  return hash.digest('hex')
}
