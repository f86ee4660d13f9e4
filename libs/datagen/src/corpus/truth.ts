/** What a corpus recipe must give on its files, computed from the generated records alone. */
export interface CorpusExpected {
  /** The recipe file under examples/recipes. */
  recipe: string
  /** Each way the same records are written: alias to file name under examples/files. */
  inputs: Record<string, string>[]
  total_left: number
  total_right: number
  /** Rows of the matched output: one per matched pair of keys. */
  matched_count: number
  matched_left: number
  matched_right: number
  unmatched_left_count: number
  unmatched_right_count: number
  /** [left key, right key] of every matched row, sorted. */
  matched: [string, string][]
  unmatched_left: string[]
  unmatched_right: string[]
}

const byText = (a: string, b: string): number => a < b ? -1 : a > b ? 1 : 0

/**
 * The expected result of a join: every pair of a left and a right record for which `matches` holds
 * (what the recipe's SQL says in words), and the records of each side in no pair.
 */
export function expectedJoin<L, R> (
  recipe: string,
  inputs: Record<string, string>[],
  left: { records: readonly L[], key: (r: L) => string },
  right: { records: readonly R[], key: (r: R) => string },
  matches: (l: L, r: R) => boolean
): CorpusExpected {
  const matched: [string, string][] = []
  for (const l of left.records) {
    for (const r of right.records) if (matches(l, r)) matched.push([left.key(l), right.key(r)])
  }
  return expectedOf(recipe, inputs, left.records.map(left.key), right.records.map(right.key), matched)
}

/** Counts and sorted key lists from the keys of each side and the matched pairs. */
export function expectedOf (recipe: string, inputs: Record<string, string>[], leftKeys: string[], rightKeys: string[], matched: [string, string][]): CorpusExpected {
  const matchedLeft = new Set(matched.map((m) => m[0]))
  const matchedRight = new Set(matched.map((m) => m[1]))
  const unmatchedLeft = leftKeys.filter((k) => !matchedLeft.has(k)).sort(byText)
  const unmatchedRight = rightKeys.filter((k) => !matchedRight.has(k)).sort(byText)
  return {
    recipe,
    inputs,
    total_left: leftKeys.length,
    total_right: rightKeys.length,
    matched_count: matched.length,
    matched_left: matchedLeft.size,
    matched_right: matchedRight.size,
    unmatched_left_count: unmatchedLeft.length,
    unmatched_right_count: unmatchedRight.length,
    matched: [...matched].sort((a, b) => byText(a[0], b[0]) || byText(a[1], b[1])),
    unmatched_left: unmatchedLeft,
    unmatched_right: unmatchedRight
  }
}

/** The first match of `pattern` in `text`, or '' (as DuckDB's regexp_extract gives). */
export function extract (text: string, pattern: RegExp): string {
  return pattern.exec(text)?.[0] ?? ''
}
