import type { DuckDBConnection } from '@duckdb/node-api'
import { ident, literal } from '../sql/quote.ts'
import type { Condition, Decomposition, SideColumn } from './conditions.ts'

/** What a run's explanation covers, for summary.json and the API. */
export interface ExplainSummary {
  available: boolean
  /** Why there is no explanation, when there is none. */
  reason?: string
  /** The conditions measured, as the match SQL writes them. */
  conditions: string[]
  /** Conditions left out of the explanation, and why. */
  skipped: { condition: string, reason: string }[]
  /** Unmatched records with at least one candidate, per side. */
  explained_left: number
  explained_right: number
}

export interface ExplainInput {
  left: { keys: string[], unmatched: string, out: string }
  right: { keys: string[], unmatched: string, out: string }
  decomposition: Decomposition
}

/** Candidates kept per unmatched record. */
export const TOP_CANDIDATES = 3
// A tolerance alone finds candidates within this many tolerances (a near miss at 0.03 for 0.02 is 1.5).
const BAND = 10
const T = { left: '__kalla_explain_left', right: '__kalla_explain_right', pairs: '__kalla_explain_pairs', eval: '__kalla_explain_eval' } as const
// The records no candidate sharing their reference was found for: the only ones a typo is looked for.
const REST = { left: '__kalla_explain_left_rest', right: '__kalla_explain_right_rest' } as const

/**
 * For every unmatched record of each side, the nearest unmatched records of the other side and, for each
 * measured condition, whether it held and by how much it missed: exact DECIMAL differences, whole days,
 * references equal but for case or spacing. Candidates are the pairs that fail at most one condition
 * (every condition but one holds; found by hash or range joins, never a cross join) and the pairs whose
 * references are equal once case and spaces are ignored; the top three per record are kept, fewest failed
 * conditions first, then the smallest miss. Writes each side's explanations to its `out` Parquet file.
 */
export async function explainUnmatched (connection: DuckDBConnection, input: ExplainInput): Promise<ExplainSummary> {
  const { conditions, skipped, unavailable } = input.decomposition
  const base = { conditions: conditions.map((c) => c.text), skipped }
  if (unavailable !== undefined) return { available: false, reason: unavailable, ...base, explained_left: 0, explained_right: 0 }
  // Only the keys and the columns the conditions read: every join and the evaluation carry less.
  for (const side of ['left', 'right'] as const) {
    const columns = new Set([...input[side].keys, ...conditions.flatMap((c) => c.args.filter((a) => a.side === side).map((a) => a.column))])
    await connection.run(`CREATE TEMP TABLE ${T[side]} AS SELECT ${[...columns].map(ident).join(', ')} FROM read_parquet(${literal(input[side].unmatched)})`)
  }
  const keys = { left: input.left.keys.map((k) => `l.${ident(k)}`), right: input.right.keys.map((k) => `r.${ident(k)}`) }
  const joins = candidateJoins(conditions)
  const select = `SELECT ${[...keys.left.map((k, i) => `${k} AS lk${i}`), ...keys.right.map((k, i) => `${k} AS rk${i}`)].join(', ')} FROM `
  const union = (list: Join[]): string => list.map((j) => `${select}${j.left} l JOIN ${j.right} r ON ${j.on}`).join('\nUNION\n')
  const [first, late] = [joins.filter((j) => j.late !== true), joins.filter((j) => j.late === true)]
  await connection.run(`CREATE TEMP TABLE ${T.pairs} AS ${union(first)}`)
  if (late.length > 0) {
    for (const side of ['left', 'right'] as const) {
      const on = input[side].keys.map((k, i) => `s.${ident(k)} = p.${side[0]}k${i}`).join(' AND ')
      await connection.run(`CREATE TEMP VIEW ${REST[side]} AS SELECT s.* FROM ${T[side]} s ANTI JOIN ${T.pairs} p ON ${on}`)
    }
    await connection.run(`INSERT INTO ${T.pairs} ${union(late)} EXCEPT SELECT * FROM ${T.pairs}`)
  }
  const on = [...keys.left.map((k, i) => `${k} = p.lk${i}`), ...keys.right.map((k, i) => `${k} = p.rk${i}`)].join(' AND ')
  const measured = conditions.map(measure)
  await connection.run(`CREATE TEMP TABLE ${T.eval} AS SELECT p.*,
    ${measured.map((m) => `(NOT ${m.held})::INTEGER`).join(' + ')} AS failed_count,
    ${measured.map((m) => m.score).join(' + ')} AS score,
    [${measured.map((m) => `struct_pack(condition := ${literal(m.text)}, held := ${m.held}, difference := ${m.difference})`).join(', ')}] AS conditions,
    concat_ws('; ', ${measured.map((m) => `CASE WHEN NOT ${m.held} THEN ${literal(m.text + ': ')} || ${m.difference} END`).join(', ')}) AS failed
    FROM ${T.pairs} p JOIN ${T.left} l ON ${on.split(' AND ').filter((x) => x.startsWith('l.')).join(' AND ')} JOIN ${T.right} r ON ${on.split(' AND ').filter((x) => x.startsWith('r.')).join(' AND ')}`)
  return {
    available: true,
    ...base,
    explained_left: await writeSide(connection, 'left', input),
    explained_right: await writeSide(connection, 'right', input)
  }
}

interface Join { left: string, right: string, on: string, late?: boolean }
const plain = (on: string): Join => ({ left: T.left, right: T.right, on })

// Every condition but one, for each condition; then equal references ignoring case and spaces. Without an
// equality left, the join runs on buckets of amount (and date) so it stays a hash join, and a dropped
// equality must be a likely typo (edit distance at most 2, or a quarter of the value's length): a pair
// whose only link is an amount and a date is a coincidence, not a candidate. Typos are looked for last,
// and only between records that have no candidate sharing their reference. A join left with only date
// windows would pair nearly everything with everything, so it is not used.
function candidateJoins (conditions: Condition[]): Join[] {
  const joins: Join[] = []
  if (conditions.length === 1) {
    const only = conditions[0]!
    if (only.kind === 'tolerance' && !only.percent) joins.push(bucketed(relaxedTolerance(only), { ...only, tolerance: `(${only.tolerance} * ${BAND})` }, undefined))
  } else {
    for (const dropped of conditions) {
      const rest = conditions.filter((c) => c !== dropped)
      const typo = dropped.kind === 'equal' ? ` AND ${likelyTypo(dropped)}` : ''
      const on = rest.map(predicate).join(' AND ') + typo
      if (rest.some((c) => c.kind === 'equal')) joins.push(plain(on))
      else {
        const tolerance = rest.find((c): c is Extract<Condition, { kind: 'tolerance' }> => c.kind === 'tolerance' && !c.percent)
        const window = rest.find((c): c is Extract<Condition, { kind: 'date_window' }> => c.kind === 'date_window')
        if (tolerance !== undefined) joins.push(dropped.kind === 'equal' ? { ...bucketed(on, tolerance, window, REST), late: true } : bucketed(on, tolerance, window))
      }
    }
  }
  for (const c of conditions) if (c.kind === 'equal') joins.push(plain(`${normalised(c.args[0])} = ${normalised(c.args[1])}`))
  if (joins.length === 0) joins.push(plain('false'))
  return joins
}

function likelyTypo (c: Extract<Condition, { kind: 'equal' }>): string {
  const [a, b] = c.args.map((x) => `coalesce(${normalised(x)}, '')`)
  return `levenshtein(${a}, ${b}) <= greatest(2, length(${a}) // 4)`
}

/**
 * A hash join on buckets: amounts in buckets twice the tolerance wide (so a pair within the tolerance is in
 * the same or a neighbouring bucket, whatever the rounding of the division), dates in buckets one day wider
 * than the window; each left record probes its bucket and the neighbours, and `on` keeps the true pairs.
 */
function bucketed (on: string, tolerance: Extract<Condition, { kind: 'tolerance' }>, window: Extract<Condition, { kind: 'date_window' }> | undefined, from: { left: string, right: string } = T): Join {
  const width = `greatest(2 * ${tolerance.tolerance}, 0.01)`
  const column = (c: Condition, side: 'left' | 'right'): string => ident(c.args.find((a) => a.side === side)!.column)
  const amount = (side: 'left' | 'right'): string => `floor(${column(tolerance, side)} / ${width})`
  const day = (side: 'left' | 'right'): string => window === undefined ? '0' : `floor(date_diff('day', DATE '1970-01-01', CAST(${column(window, side)} AS DATE)) / ${window.days + 1})`
  const offsets = window === undefined ? '(VALUES (-1, 0), (0, 0), (1, 0))' : '(VALUES (-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 0), (0, 1), (1, -1), (1, 0), (1, 1))'
  return {
    left: `(SELECT s.*, ${amount('left')} + o.__kalla_da AS __kalla_ab, ${day('left')} + o.__kalla_dd AS __kalla_db FROM ${from.left} s, ${offsets} o(__kalla_da, __kalla_dd))`,
    right: `(SELECT *, ${amount('right')} AS __kalla_ab, ${day('right')} AS __kalla_db FROM ${from.right})`,
    on: `l.__kalla_ab = r.__kalla_ab AND l.__kalla_db = r.__kalla_db AND ${on}`
  }
}

const ref = (c: SideColumn): string => `${c.side === 'left' ? 'l' : 'r'}.${ident(c.column)}`
const normalised = (c: SideColumn): string => `lower(regexp_replace(CAST(${ref(c)} AS VARCHAR), '\\s+', '', 'g'))`

function predicate (c: Condition): string {
  const a = ref(c.args[0])
  const b = ref(c.args[1])
  if (c.kind === 'equal') return `${a} = ${b}`
  if (c.kind === 'date_window') return `date_within(${a}, ${b}, ${c.days})`
  return `${c.percent ? 'pct_tolerance_match' : 'tolerance_match'}(${a}, ${b}, ${c.tolerance})`
}

function relaxedTolerance (c: Extract<Condition, { kind: 'tolerance' }>): string {
  const a = ref(c.args[0])
  const b = ref(c.args[1])
  return `${c.percent ? 'pct_tolerance_match' : 'tolerance_match'}(${a}, ${b}, ${c.tolerance} * ${BAND})`
}

/** How one condition is measured on a pair: held (never null), the difference as text, a ranking score. */
function measure (c: Condition): { text: string, held: string, difference: string, score: string } {
  const a = ref(c.args[0])
  const b = ref(c.args[1])
  const held = `coalesce(${predicate(c)}, false)`
  const empty = `'${c.args[0].written} or ${c.args[1].written} is empty'`
  if (c.kind === 'equal') {
    const quoted = (x: string): string => `'''' || CAST(${x} AS VARCHAR) || ''''`
    const sameish = `${normalised(c.args[0])} = ${normalised(c.args[1])}`
    return {
      text: c.text,
      held,
      difference: `CASE WHEN ${held} THEN NULL WHEN ${a} IS NULL OR ${b} IS NULL THEN ${empty} WHEN ${sameish} THEN 'equal except for case or spacing: ' || ${quoted(a)} || ' vs ' || ${quoted(b)} ELSE ${quoted(a)} || ' vs ' || ${quoted(b)} END`,
      score: `CASE WHEN ${held} THEN 0.0 WHEN coalesce(${sameish}, false) THEN 0.5 ELSE 1.0 END`
    }
  }
  if (c.kind === 'date_window') {
    const days = `abs(date_diff('day', CAST(${a} AS DATE), CAST(${b} AS DATE)))`
    return {
      text: c.text,
      held,
      difference: `coalesce(CAST(${days} AS VARCHAR) || ' days apart at a ${c.days}-day window', ${empty})`,
      score: `CASE WHEN ${held} THEN 0.0 ELSE coalesce((${days} - ${c.days}) / ${Math.max(c.days, 1)}.0, 1000.0) END`
    }
  }
  // The difference shown is exact at any magnitude and scale (the helpers' own arithmetic); the score
  // only ranks candidates, so DOUBLE, which holds every amount without overflow, serves.
  const diff = `abs(CAST(${b} AS DOUBLE) - CAST(${a} AS DOUBLE))`
  const limit = c.percent ? `${c.tolerance}% of ' || CAST(abs(${a}) AS VARCHAR) || '` : c.tolerance
  const limitValue = c.percent ? `(CAST(abs(${a}) AS DOUBLE) * ${c.tolerance} / 100)` : `${c.tolerance}`
  return {
    text: c.text,
    held,
    difference: `coalesce('off by ' || kalla_difference(${a}, ${b}) || ' at a tolerance of ${limit}', ${empty})`,
    // How many tolerances beyond the limit, for ranking only: 0.03 at 0.02 is 0.5, a reference typo is 1.
    score: `CASE WHEN ${held} THEN 0.0 ELSE coalesce((${diff} - ${limitValue}) / greatest(${limitValue}, 0.01), 1000.0) END`
  }
}

// The other side's keys break ties, so the same data always gives the same candidates.
async function writeSide (connection: DuckDBConnection, side: 'left' | 'right', input: ExplainInput): Promise<number> {
  const other = side === 'left' ? 'right' : 'left'
  const own = input[side].keys.map((k, i) => `${side[0]}k${i}`)
  const theirs = input[other].keys.map((k, i) => `${other[0]}k${i}`)
  const named = [...input[side].keys.map((k, i) => `${own[i]} AS ${ident(k)}`), 'rank', ...input[other].keys.map((k, i) => `${theirs[i]} AS ${ident(`candidate_${k}`)}`), 'failed_count', 'failed', 'conditions']
  const ranked = `SELECT *, row_number() OVER (PARTITION BY ${own.join(', ')} ORDER BY failed_count, score, ${theirs.join(', ')}) AS rank FROM ${T.eval}`
  await connection.run(`COPY (SELECT ${named.join(', ')} FROM (${ranked}) WHERE rank <= ${TOP_CANDIDATES}) TO ${literal(input[side].out)} (FORMAT parquet, COMPRESSION zstd)`)
  const reader = await connection.runAndReadAll(`SELECT count(DISTINCT (${own.join(', ')})) FROM ${T.eval}`)
  return Number(reader.getRowsJS()[0]?.[0] ?? 0)
}
