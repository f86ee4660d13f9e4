export const RESULT_KINDS = ['matched', 'unmatched_left', 'unmatched_right'] as const
export type ResultKind = typeof RESULT_KINDS[number]

/** True for the `kind` path segment of a download: matched, unmatched_left or unmatched_right. */
export function isResultKind (value: string): value is ResultKind {
  return (RESULT_KINDS as readonly string[]).includes(value)
}
