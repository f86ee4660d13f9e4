import { ident } from '../sql/quote.ts'
import type { Condition, SideColumn } from './conditions.ts'

/** The explainer's working tables: each side's unmatched records (narrowed), the candidate pairs, the kept ones. */
export const T = { left: '__kalla_explain_left', right: '__kalla_explain_right', pairs: '__kalla_explain_pairs', eval: '__kalla_explain_eval' } as const
// The records no candidate sharing their reference was found for: the only ones a typo is looked for.
export const REST = { left: '__kalla_explain_left_rest', right: '__kalla_explain_right_rest' } as const
// A tolerance alone finds candidates within this many tolerances (a near miss at 0.03 for 0.02 is 1.5).
const BAND = 10

export interface Join { left: string, right: string, on: string, late?: boolean }
const plain = (on: string): Join => ({ left: T.left, right: T.right, on })
type Equal = Extract<Condition, { kind: 'equal' }>
type Tolerance = Extract<Condition, { kind: 'tolerance' }>
type Window = Extract<Condition, { kind: 'date_window' }>

/**
 * A column of a side as `l."x"` / `r."x"`: a column of the side table in the candidate joins, a field of
 * the pair's `l` / `r` struct once the pairs are made, so one expression serves both.
 */
export const ref = (c: SideColumn): string => `${c.side === 'left' ? 'l' : 'r'}.${ident(c.column)}`
/** The side table's column holding a reference compared without case and spaces (computed once per record). */
export const normalisedName = (column: string): string => `__kalla_norm_${column}`
export const normalised = (c: SideColumn): string => `${c.side === 'left' ? 'l' : 'r'}.${ident(normalisedName(c.column))}`
export const normalising = (column: string): string => `lower(regexp_replace(CAST(${ident(column)} AS VARCHAR), '\\s+', '', 'g'))`

/**
 * Every condition but one, for each condition; then equal references ignoring case and spaces. A pair that
 * keeps an equality of two text columns also has equal normalised references, so that join alone finds it
 * and the narrower join is not run. Without an equality left, the join runs on buckets of amount (and date)
 * so it stays a hash join, and a dropped equality must be a likely typo (edit distance at most 2, or a
 * quarter of the value's length): a pair whose only link is an amount and a date is a coincidence, not a
 * candidate. Typos are looked for last, and only between records that have no candidate sharing their
 * reference. A join left with only date windows would pair nearly everything with everything, so it is not used.
 */
export function candidateJoins (conditions: Condition[], textual: (c: Equal) => boolean): Join[] {
  const joins: Join[] = []
  if (conditions.length === 1) {
    const only = conditions[0]!
    if (only.kind === 'tolerance' && !only.percent) joins.push(bucketed(relaxedTolerance(only), { ...only, tolerance: `(${only.tolerance} * ${BAND})` }, undefined))
  } else {
    for (const dropped of conditions) {
      const rest = conditions.filter((c) => c !== dropped)
      if (rest.some((c) => c.kind === 'equal' && textual(c))) continue
      const typo = dropped.kind === 'equal' ? ` AND ${likelyTypo(dropped)}` : ''
      const on = rest.map(predicate).join(' AND ') + typo
      if (rest.some((c) => c.kind === 'equal')) joins.push(plain(on))
      else {
        const tolerance = rest.find((c): c is Tolerance => c.kind === 'tolerance' && !c.percent)
        const window = rest.find((c): c is Window => c.kind === 'date_window')
        if (tolerance !== undefined) joins.push(dropped.kind === 'equal' ? { ...bucketed(on, tolerance, window, REST), late: true } : bucketed(on, tolerance, window))
      }
    }
  }
  for (const c of conditions) if (c.kind === 'equal') joins.push(plain(`${normalised(c.args[0])} = ${normalised(c.args[1])}`))
  if (joins.length === 0) joins.push(plain('false'))
  return joins
}

function likelyTypo (c: Equal): string {
  const [a, b] = c.args.map((x) => `coalesce(${normalised(x)}, '')`)
  return `levenshtein(${a}, ${b}) <= greatest(2, length(${a}) // 4)`
}

/**
 * A hash join on buckets: amounts in buckets twice the tolerance wide (so a pair within the tolerance is in
 * the same or a neighbouring bucket, whatever the rounding of the division), dates in whole-day buckets
 * 2 x window + 1 days wide, where a date's window reaches only the neighbour on the side of the bucket's
 * half it is in (exact: days are integers). Each left record probes three amount buckets in its own and
 * that one date bucket, and `on` keeps the true pairs.
 */
function bucketed (on: string, tolerance: Tolerance, window: Window | undefined, from: { left: string, right: string } = T): Join {
  const width = `greatest(2 * ${tolerance.tolerance}, 0.01)`
  const column = (c: Condition, side: 'left' | 'right'): string => ident(c.args.find((a) => a.side === side)!.column)
  const amount = (side: 'left' | 'right'): string => `floor(${column(tolerance, side)} / ${width})`
  const dayNumber = (side: 'left' | 'right'): string => `date_diff('day', DATE '1970-01-01', CAST(${column(window!, side)} AS DATE))`
  const day = (side: 'left' | 'right'): string => window === undefined ? '0' : `floor(${dayNumber(side)} / ${2 * window.days + 1})::BIGINT`
  // -1 when the date is in the lower half of its bucket (its window reaches the bucket before), else +1.
  const neighbour = window === undefined ? '0' : `CASE WHEN ${dayNumber('left')} - ${day('left')} * ${2 * window.days + 1} <= ${window.days} THEN -1 ELSE 1 END`
  const offsets = window === undefined ? '(VALUES (-1, 0), (0, 0), (1, 0))' : '(VALUES (-1, 0), (0, 0), (1, 0), (-1, 1), (0, 1), (1, 1))'
  return {
    left: `(SELECT s.*, ${amount('left')} + o.__kalla_da AS __kalla_ab, ${day('left')} + o.__kalla_dd * ${neighbour} AS __kalla_db FROM ${from.left} s, ${offsets} o(__kalla_da, __kalla_dd))`,
    right: `(SELECT *, ${amount('right')} AS __kalla_ab, ${day('right')} AS __kalla_db FROM ${from.right})`,
    on: `l.__kalla_ab = r.__kalla_ab AND l.__kalla_db = r.__kalla_db AND ${on}`
  }
}

export function predicate (c: Condition): string {
  const a = ref(c.args[0])
  const b = ref(c.args[1])
  if (c.kind === 'equal') return `${a} = ${b}`
  if (c.kind === 'date_window') return `date_within(${a}, ${b}, ${c.days})`
  return `${c.percent ? 'pct_tolerance_match' : 'tolerance_match'}(${a}, ${b}, ${c.tolerance})`
}

function relaxedTolerance (c: Tolerance): string {
  return `${c.percent ? 'pct_tolerance_match' : 'tolerance_match'}(${ref(c.args[0])}, ${ref(c.args[1])}, ${c.tolerance} * ${BAND})`
}
