import type { RunOutputs } from './events.ts'

/** The three record sets a run writes; its fourth output is summary.json. */
export const RESULT_KINDS = ['matched', 'unmatched_left', 'unmatched_right'] as const
export type ResultKind = typeof RESULT_KINDS[number]

/** The file name of each output inside a run's result directory (or under its storage prefix). */
export const RESULT_FILES = {
  matched: 'matched.parquet',
  unmatched_left: 'unmatched_left.parquet',
  unmatched_right: 'unmatched_right.parquet',
  summary: 'summary.json',
  decided_left: 'decided_left.parquet',
  decided_right: 'decided_right.parquet',
  explain_left: 'explain_left.parquet',
  explain_right: 'explain_right.parquet'
} as const satisfies Record<keyof RunOutputs, string>

/** True for the name of a record set: matched, unmatched_left or unmatched_right. */
export function isResultKind (value: string): value is ResultKind {
  return (RESULT_KINDS as readonly string[]).includes(value)
}

/**
 * Where each output of a run lives (the decided files only for a run with decisions) under `prefix` (a storage prefix or a directory).
 * @example resultKeys('results/run-1').matched // 'results/run-1/matched.parquet'
 */
export function resultKeys (prefix: string, extras: { decided?: boolean, explained?: boolean } = {}): RunOutputs {
  const base = prefix.replace(/\/+$/, '')
  return {
    matched: `${base}/${RESULT_FILES.matched}`,
    unmatched_left: `${base}/${RESULT_FILES.unmatched_left}`,
    unmatched_right: `${base}/${RESULT_FILES.unmatched_right}`,
    summary: `${base}/${RESULT_FILES.summary}`,
    ...(extras.decided === true ? { decided_left: `${base}/${RESULT_FILES.decided_left}`, decided_right: `${base}/${RESULT_FILES.decided_right}` } : {}),
    ...(extras.explained === true ? { explain_left: `${base}/${RESULT_FILES.explain_left}`, explain_right: `${base}/${RESULT_FILES.explain_right}` } : {})
  }
}
