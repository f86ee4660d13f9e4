import type { DuckDBConnection } from '@duckdb/node-api'
import { ident } from '../sql/quote.ts'
import type { ColumnProfile } from './profile.ts'
import type { AmountEvidence, DateEvidence, MatchPattern } from './types.ts'

/** A join as SQL: each side's alias and join expression, and further pairs of expressions that must be equal too. */
export interface JoinSql { left: { alias: string, expression: string }, right: { alias: string, expression: string }, also?: { left: string, right: string }[] }

/** The condition of a join: its expressions equal, and every further pair. */
export function joinOn (join: JoinSql): string {
  return [`${join.left.expression} = ${join.right.expression}`, ...(join.also ?? []).map((a) => `${a.left} = ${a.right}`)].join(' AND ')
}

/** A grouping CTE's key columns: the join value as `v`, each further join column as `a0`, `a1`, ... */
export const groupKeys = (value: string, further: readonly string[]): string => [`${value} AS v`, ...further.map((e, i) => `${e} AS a${i}`)].join(', ')
/** GROUP BY the join value and the further join columns. */
export const groupBy = (further: number): string => `GROUP BY ${Array.from({ length: further + 1 }, (_, i) => i + 1).join(', ')}`
/** The further join columns of one side equal to the group's. */
export const sameGroup = (further: readonly string[]): string => further.map((e, i) => ` AND ${e} = kalla_groups.a${i}`).join('')

/** Tolerances tried, smallest first; differences above the last are taken to be other payments. */
export const TOLERANCES = ['0.00', '0.01', '0.02', '0.05', '0.10', '0.50', '1.00'] as const
/** Percentages of the left amount tried, smallest first, when absolute tolerances do not cover the bulk. */
export const PERCENTS = ['0.1', '0.2', '0.5', '1', '2', '5'] as const
// Absolute tolerances give way to a percentage when they cover less than this share of what it covers.
const PERCENT_SWITCH = 0.5
/** Day windows tried, smallest first. */
export const WINDOWS = [0, 1, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180] as const
// The smallest tolerance covering this share of the pairs that agree within the largest one is "the bulk".
const AMOUNT_BULK = 0.95
// The smallest window covering this share of the agreeing pairs' lags.
const DATE_BULK = 0.9
// When the window covers nearly every pair, comparing dates adds nothing to the recipe.
const DATE_ALL = 0.995

const col = (alias: string, name: string): string => `${ident(alias)}.${ident(name)}`

/**
 * The amount pair whose differences over the joined records (one to one) or groups (split: the right
 * amounts summed per join value; batch: the left ones) cluster closest to zero, with the tolerance that
 * covers the bulk. Arithmetic is DuckDB's exact DECIMAL arithmetic on the staged amounts.
 */
export async function amountEvidence (connection: DuckDBConnection, join: JoinSql, pattern: MatchPattern, lefts: readonly ColumnProfile[], rights: readonly ColumnProfile[]): Promise<AmountEvidence | undefined> {
  if (lefts.length === 0 || rights.length === 0) return undefined
  const grouped = groupedFrom(join, pattern, lefts, rights)
  // Every percentage is counted only when the widest says a percentage may be chosen (fees, exchange rates).
  const first = await countDifferences(connection, grouped, lefts, rights, [PERCENTS.at(-1)!])
  if (first === undefined) return undefined
  return chooseTolerance(percentMayWin(first) ? (await countDifferences(connection, grouped, lefts, rights, PERCENTS)) ?? first : first)
}

/** Each amount pair's share of differences within every tolerance and within the given percentages of either amount. */
async function countDifferences (connection: DuckDBConnection, grouped: ReturnType<typeof groupedFrom>, lefts: readonly ColumnProfile[], rights: readonly ColumnProfile[], percents: readonly string[]): Promise<Measured[] | undefined> {
  const { from, leftOf, rightOf } = grouped
  // Each difference and amount is computed once, below the counts that compare it.
  const values = [
    ...lefts.flatMap((l, i) => [`abs(${leftOf(l, i)}) AS a${i}`, ...rights.map((r, j) => `abs(${leftOf(l, i)} - ${rightOf(r, j)}) AS d${i}_${j}`)]),
    ...rights.map((r, j) => `abs(${rightOf(r, j)}) AS b${j}`)
  ]
  const measures: string[] = []
  lefts.forEach((_l, i) => rights.forEach((_r, j) => {
    TOLERANCES.forEach((t, k) => measures.push(`count(*) FILTER (WHERE d${i}_${j} <= ${t}) AS m${i}_${j}_${k}`))
    percents.forEach((p, k) => measures.push(`count(*) FILTER (WHERE d${i}_${j} * 100 <= a${i} * ${p}) AS p${i}_${j}_${k}`))
    percents.forEach((p, k) => measures.push(`count(*) FILTER (WHERE d${i}_${j} * 100 <= b${j} * ${p}) AS q${i}_${j}_${k}`))
  }))
  const reader = await connection.runAndReadAll(`SELECT count(*) AS pairs, ${measures.join(', ')} FROM (SELECT ${values.join(', ')} FROM ${from})`)
  const row = reader.getRowObjectsJS()[0] ?? {}
  const pairs = Number(row.pairs ?? 0)
  if (pairs === 0) return undefined
  const shares = (prefix: string, i: number, j: number): Record<string, number> => Object.fromEntries(percents.map((p, k) => [p, Number(row[`${prefix}${i}_${j}_${k}`] ?? 0) / pairs]))
  return lefts.flatMap((l, i) => rights.map((r, j) => ({
    left: l.name,
    right: r.name,
    pairs,
    within: Object.fromEntries(TOLERANCES.map((t, k) => [t, Number(row[`m${i}_${j}_${k}`] ?? 0) / pairs])),
    withinPercent: shares('p', i, j),
    withinPercentOfRight: shares('q', i, j)
  })))
}

// The switch of chooseTolerance: the absolute differences of no pair cover half of what the widest percentage of either amount does.
function percentMayWin (measured: readonly Measured[]): boolean {
  const absolute = Math.max(...measured.map(widest))
  const percent = Math.max(...measured.map((m) => Math.max(widestPercent(m), widestPercent(m, 'withinPercentOfRight'))))
  return absolute < PERCENT_SWITCH * percent
}

type Measured = Pick<AmountEvidence, 'left' | 'right' | 'pairs' | 'within' | 'withinPercent' | 'withinPercentOfRight'>
type Base = 'withinPercent' | 'withinPercentOfRight'
const widest = (m: Measured): number => m.within[TOLERANCES.at(-1)!] ?? 0
const widestPercent = (m: Measured, base: Base = 'withinPercent'): number => m[base]?.[PERCENTS.at(-1)!] ?? 0

/**
 * The amount pair and tolerance: the pair most of whose differences lie within the widest absolute
 * tolerance, with the smallest tolerance covering the bulk of those. Only when no pair's absolute
 * differences cover even half of what the widest percentage does (amounts that differ by a share of
 * themselves: fees, exchange rates) is a percentage chosen, the smallest covering the bulk: of the left
 * amount, or of the right one when that covers more pairs, or as many with a smaller percentage (a charge
 * taken as a share of the amount paid).
 */
function chooseTolerance (measured: readonly Measured[]): AmountEvidence | undefined {
  const byAbsolute = [...measured].sort((a, b) => widest(b) - widest(a))[0]
  if (byAbsolute === undefined) return undefined
  const [left, right] = [percentChoice(measured, 'withinPercent'), percentChoice(measured, 'withinPercentOfRight')]
  if (left !== undefined && right !== undefined && widest(byAbsolute) < PERCENT_SWITCH * Math.max(left.widest, right.widest)) {
    const ofRight = right.covered > left.covered || (right.covered === left.covered && PERCENTS.indexOf(right.percent) < PERCENTS.indexOf(left.percent))
    const { m, percent, covered } = ofRight ? right : left
    return { ...m, tolerance: '0.00', percent, covered, ...(ofRight ? { percentOf: 'right' as const } : {}) }
  }
  const tolerance = TOLERANCES.find((t) => (byAbsolute.within[t] ?? 0) >= AMOUNT_BULK * widest(byAbsolute)) ?? '0.00'
  return { ...byAbsolute, tolerance, covered: byAbsolute.within[tolerance] ?? 0 }
}

// The pair most of whose differences lie within the widest percentage of one amount, and the smallest percentage covering the bulk.
function percentChoice (measured: readonly Measured[], base: Base): { m: Measured, percent: typeof PERCENTS[number], covered: number, widest: number } | undefined {
  const m = [...measured].sort((a, b) => widestPercent(b, base) - widestPercent(a, base))[0]
  if (m === undefined) return undefined
  const percent = PERCENTS.find((p) => (m[base]?.[p] ?? 0) >= AMOUNT_BULK * widestPercent(m, base)) ?? PERCENTS.at(-1)!
  return { m, percent, covered: m[base]?.[percent] ?? 0, widest: widestPercent(m, base) }
}

/** Whether two amounts agree as the evidence says: equal, within the tolerance, or within the percentage of the first (or, `percentOf` right, of the second). */
export function amountsAgree (a: string, b: string, amount: Pick<AmountEvidence, 'tolerance' | 'percent' | 'percentOf'>): string {
  if (amount.percent !== undefined) return amount.percentOf === 'right' ? `pct_tolerance_match(${b}, ${a}, ${amount.percent})` : `pct_tolerance_match(${a}, ${b}, ${amount.percent})`
  return Number(amount.tolerance) === 0 ? `${a} = ${b}` : `tolerance_match(${a}, ${b}, ${amount.tolerance})`
}

// One to one compares record with record; split sums the right amounts per join value, batch the left ones.
function groupedFrom (join: JoinSql, pattern: MatchPattern, lefts: readonly ColumnProfile[], rights: readonly ColumnProfile[]): { from: string, leftOf: (c: ColumnProfile, i: number) => string, rightOf: (c: ColumnProfile, j: number) => string } {
  const { left, right } = join
  const also = join.also ?? []
  if (pattern === 'split') {
    const sums = rights.map((r, j) => `sum(${col(right.alias, r.name)}) AS s${j}`).join(', ')
    return {
      from: `${ident(left.alias)} JOIN (SELECT ${groupKeys(right.expression, also.map((a) => a.right))}, ${sums} FROM ${ident(right.alias)} ${groupBy(also.length)}) AS kalla_groups ON kalla_groups.v = ${left.expression}${sameGroup(also.map((a) => a.left))}`,
      leftOf: (c) => col(left.alias, c.name),
      rightOf: (_c, j) => `kalla_groups.s${j}`
    }
  }
  if (pattern === 'batch') {
    const sums = lefts.map((l, i) => `sum(${col(left.alias, l.name)}) AS s${i}`).join(', ')
    return {
      from: `(SELECT ${groupKeys(left.expression, also.map((a) => a.left))}, ${sums} FROM ${ident(left.alias)} ${groupBy(also.length)}) AS kalla_groups JOIN ${ident(right.alias)} ON kalla_groups.v = ${right.expression}${sameGroup(also.map((a) => a.right))}`,
      leftOf: (_c, i) => `kalla_groups.s${i}`,
      rightOf: (c) => col(right.alias, c.name)
    }
  }
  return { from: `${ident(left.alias)} JOIN ${ident(right.alias)} ON ${joinOn(join)}`, leftOf: (c) => col(left.alias, c.name), rightOf: (c) => col(right.alias, c.name) }
}

/**
 * The date pair whose day lags over the joined records that agree on amount are the tightest, with the
 * smallest window covering the bulk; `window` is left out when the window would leave out (almost) nothing.
 * Every pair's lags are counted in one query.
 */
export async function dateEvidence (connection: DuckDBConnection, join: JoinSql, amounts: Pick<AmountEvidence, 'left' | 'right' | 'tolerance' | 'percent' | 'percentOf'> | undefined, lefts: readonly ColumnProfile[], rights: readonly ColumnProfile[]): Promise<DateEvidence | undefined> {
  const { left, right } = join
  const pairs = lefts.flatMap((l) => rights.map((r) => ({ l, r })))
  if (pairs.length === 0) return undefined
  const agree = amounts === undefined ? '' : ` AND ${amountsAgree(col(left.alias, amounts.left), col(right.alias, amounts.right), amounts)}`
  const lags = pairs.map(({ l, r }, i) => `date_diff('day', CAST(${col(left.alias, l.name)} AS DATE), CAST(${col(right.alias, r.name)} AS DATE)) AS lag${i}`)
  const measures = pairs.flatMap((_p, i) => [`count(lag${i}) AS pairs${i}`, `coalesce(median(lag${i}), 0) AS median${i}`, ...WINDOWS.map((w, k) => `count(*) FILTER (WHERE abs(lag${i}) <= ${w}) AS w${i}_${k}`)])
  const reader = await connection.runAndReadAll(`SELECT ${measures.join(', ')} FROM (SELECT ${lags.join(', ')} FROM ${ident(left.alias)} JOIN ${ident(right.alias)} ON ${joinOn(join)}${agree})`)
  const row = reader.getRowObjectsJS()[0] ?? {}
  let best: DateEvidence | undefined
  for (const [i, { l, r }] of pairs.entries()) {
    const counted = Number(row[`pairs${i}`] ?? 0)
    if (counted === 0) continue
    const within = Object.fromEntries(WINDOWS.map((w, k) => [String(w), Number(row[`w${i}_${k}`] ?? 0) / counted]))
    const chosen = WINDOWS.find((w) => (within[String(w)] ?? 0) >= DATE_BULK)
    const covered = chosen === undefined ? 0 : within[String(chosen)] ?? 0
    const evidence: DateEvidence = { left: l.name, right: r.name, pairs: counted, within, covered, medianLagDays: Number(row[`median${i}`]), ...(chosen !== undefined && covered < DATE_ALL ? { window: chosen } : {}) }
    if (best === undefined || tighter(evidence, best)) best = evidence
  }
  return best
}

function tighter (a: DateEvidence, b: DateEvidence): boolean {
  const a30 = a.within['30'] ?? 0
  const b30 = b.within['30'] ?? 0
  return a30 !== b30 ? a30 > b30 : Math.abs(a.medianLagDays) < Math.abs(b.medianLagDays)
}
