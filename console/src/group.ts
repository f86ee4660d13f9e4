/** One side of a recipe as the group view needs it: its alias, primary key and the source's columns. */
export interface GroupSide { alias: string, keys: readonly string[], columns: readonly string[] }
type Row = Record<string, unknown>

const find = (names: readonly string[], wanted: string): string | undefined => names.find((n) => n.toLowerCase() === wanted.toLowerCase())

/**
 * The matched output's columns holding one side's key, by the engine's rule (libs/engine/src/match.ts):
 * `<alias>_<key>` when present, else `<key>` unless the other side's key has the same name.
 */
export function outputKeys (output: readonly string[], side: GroupSide, other: GroupSide): string[] | undefined {
  const columns = side.keys.map((key) => find(output, `${side.alias}_${key}`) ?? (other.keys.some((k) => k.toLowerCase() === key.toLowerCase()) ? undefined : find(output, key)))
  return columns.every((c) => c !== undefined) ? columns as string[] : undefined
}

/**
 * Which matched columns come from which side: its keys, `<alias>_` and `left_`/`right_` names (the
 * console's templates write `l.amount AS left_amount`), and names only that side's source has. A column
 * both sources have, or one the match SQL computed under another name, belongs to neither.
 */
export function sideColumns (output: readonly string[], left: GroupSide, right: GroupSide, keys: { left: string[], right: string[] }): { left: string[], right: string[] } {
  const of = (column: string): 'left' | 'right' | undefined => {
    if (keys.left.includes(column)) return 'left'
    if (keys.right.includes(column)) return 'right'
    const lower = column.toLowerCase()
    if (lower.startsWith('left_')) return 'left'
    if (lower.startsWith('right_')) return 'right'
    for (const [name, side] of [['left', left], ['right', right]] as const) {
      const prefix = `${side.alias.toLowerCase()}_`
      if (lower.startsWith(prefix) && find(side.columns, column.slice(prefix.length)) !== undefined) return name
    }
    const inLeft = find(left.columns, column) !== undefined
    const inRight = find(right.columns, column) !== undefined
    return inLeft === inRight ? undefined : inLeft ? 'left' : 'right'
  }
  return { left: output.filter((c) => of(c) === 'left'), right: output.filter((c) => of(c) === 'right') }
}

/** The distinct records of one side among matched rows, each with that side's columns, in first-seen order. */
export function sideRecords (rows: readonly Row[], keyColumns: readonly string[], columns: readonly string[]): Row[] {
  const seen = new Map<string, Row>()
  for (const row of rows) {
    const key = JSON.stringify(keyColumns.map((k) => row[k]))
    if (!seen.has(key)) seen.set(key, Object.fromEntries(columns.map((c) => [c, row[c]])))
  }
  return [...seen.values()]
}

/** Rows of two lookups (by left key, by right key), each row once. */
export function unionRows (...lists: ReadonlyArray<readonly Row[]>): Row[] {
  const seen = new Map<string, Row>()
  for (const row of lists.flat()) seen.set(JSON.stringify(row), row)
  return [...seen.values()]
}
