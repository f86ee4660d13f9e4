import type { DuckDBConnection } from '@duckdb/node-api'
import { ident, literal } from '../sql/quote.ts'
import { nameSimilarity, type ColumnProfile, type TableProfile } from './profile.ts'
import type { JoinPair, Normalisation } from './types.ts'
import { onEach } from './pool.ts'
import { valueShapes } from './value-shape.ts'

/** A side of a join as SQL: the table alias and the expression of its join value. */
export interface JoinSide { alias: string, column: string }

const NORMALISATIONS: readonly Normalisation[] = ['exact', 'case_space', 'digits']
// A normalisation has to beat comparing the values as written by this much to be worth its obscurity.
const NORMALISED_MARGIN = 0.02
// Below this share of one side's values meeting the other, a pair of columns is not a join.
export const MIN_COVERAGE = 0.2

/**
 * The expression a join compares for one side: the column as written, upper case without spaces, the
 * digits after a letter prefix without leading zeros (INV-000042 -> 42), or the first text matching a
 * pattern found in the other side's values (an invoice number inside a bank line's description).
 */
export function joinExpression (table: string, column: string, normalisation: Normalisation, asText: boolean, regex?: string): string {
  const col = `${ident(table)}.${ident(column)}`
  return normalised(asText ? `CAST(${col} AS VARCHAR)` : col, normalisation, regex)
}

// The join search applies the same expressions to a column's distinct values that the recipe applies to its rows.
function normalised (text: string, normalisation: Normalisation, regex?: string): string {
  if (normalisation === 'case_space') return `upper(replace(${text}, ' ', ''))`
  if (normalisation === 'digits') return `ltrim(regexp_replace(upper(${text}), '^[A-Z]*[^A-Z0-9]*', ''), '0')`
  if (normalisation === 'embedded' && regex !== undefined) return `regexp_extract(${text}, ${literal(regex)})`
  return text
}

// Mean length from which a text column is taken for free text (descriptions, payment purposes).
const FREE_TEXT = 20
const joinable = (c: ColumnProfile): boolean => c.kind === 'text' || c.kind === 'integer'
// An identifier-like column: most of its values distinct, and more than a handful of them.
const identifying = (c: ColumnProfile): boolean => c.distinct >= 10 && c.distinct >= 0.5 * c.nonNull

/**
 * Every column pair whose values line up, measured over the whole sample, best first. The two sides'
 * distinct values are prepared at once, on the second connection for the right side.
 */
export async function findJoinPairs (connection: DuckDBConnection, left: TableProfile, right: TableProfile, second: DuckDBConnection = connection): Promise<JoinPair[]> {
  const found = await directPairs(connection, second, left, right)
  const embedded = (await embeddedPairs(connection, left, right)).filter((e) => !found.some((p) => p.left === e.left && p.right === e.right && joinScore(p) >= joinScore(e) - 0.01))
  found.push(...embedded)
  return found.filter((p) => Math.max(p.leftCoverage, p.rightCoverage) >= MIN_COVERAGE).sort((a, b) => joinScore(b) - joinScore(a))
}

export function joinScore (pair: JoinPair): number {
  return (pair.leftCoverage + pair.rightCoverage) / 2 + 0.05 * pair.nameSimilarity
}

/**
 * Every pair of joinable columns under every normalisation in a handful of queries: each side's distinct
 * values per column and normalisation in one table, then one join of the two tables counts what meets.
 */
async function directPairs (connection: DuckDBConnection, second: DuckDBConnection, left: TableProfile, right: TableProfile): Promise<JoinPair[]> {
  const folds = (t: TableProfile): boolean => joinColumns(t).some((c) => c.folds === true)
  const sides = [[left, right, 'l'], [right, left, 'r']] as const
  const [lt, rt] = await onEach(sides, [connection, second], async ([t, other, side], c) => await valuesTable(c, t, side, folds(other)))
  const totals = new Map<string, number>()
  const counted = await connection.runAndReadAll(`SELECT 'l' AS side, slot, norm, sum(n) FROM ${lt} GROUP BY ALL UNION ALL SELECT 'r' AS side, slot, norm, sum(n) FROM ${rt} GROUP BY ALL`)
  for (const [side, slot, norm, n] of counted.getRowsJS()) totals.set(`${String(side)}|${Number(slot)}|${Number(norm)}`, Number(n))
  const reader = await connection.runAndReadAll(`SELECT l.slot AS ls, r.slot AS rs, l.norm AS norm, sum(l.n) AS lm, sum(r.n) AS rm, count(*) AS shared,
    count(*) FILTER (WHERE r.n > 1) AS lmany, count(*) FILTER (WHERE l.n > 1) AS rmany
    FROM ${lt} l JOIN ${rt} r ON l.norm = r.norm AND l.v = r.v GROUP BY ALL ORDER BY ls, rs, norm`)
  // A column of a two-column key identifies records with its partner: it may join though it repeats.
  const keyed = (t: TableProfile, c: ColumnProfile): boolean => identifying(c) || t.keys.some((k) => k.length > 1 && k.includes(c.name))
  const rows = reader.getRowObjectsJS().map((row) => ({ row, l: bySlot(left, row.ls), r: bySlot(right, row.rs), norm: NORMALISATIONS[Number(row.norm)]! }))
    .filter(({ l, r }) => keyed(left, l) || keyed(right, r))
  const byColumns = new Map<string, JoinPair>()
  for (const { row, l, r, norm } of rows) {
    if (norm === 'digits' && !samePrefix(l.prefixes ?? [], r.prefixes ?? [])) continue
    const n = (k: string): number => Number(row[k] ?? 0)
    const norms = NORMALISATIONS.indexOf(norm)
    const pair: JoinPair = {
      left: l.name,
      right: r.name,
      normalisation: norm,
      leftCoverage: share(n('lm'), totals.get(`l|${l.slot ?? -1}|${norms}`) ?? 0),
      rightCoverage: share(n('rm'), totals.get(`r|${r.slot ?? -1}|${norms}`) ?? 0),
      nameSimilarity: nameSimilarity(l.name, r.name),
      cardinality: { leftValuesWithManyRight: n('lmany'), rightValuesWithManyLeft: n('rmany'), matchedLeftValues: n('shared'), matchedRightValues: n('shared') }
    }
    const key = `${l.name}\u0000${r.name}`
    const best = byColumns.get(key)
    if (best === undefined || better(pair, best)) byColumns.set(key, pair)
  }
  return [...byColumns.values()]
}

const bySlot = (t: TableProfile, slot: unknown): ColumnProfile => t.columns.find((c) => c.slot === Number(slot))!

// Comparing values as written wins unless a normalisation joins clearly more.
function better (pair: JoinPair, than: JoinPair): boolean {
  const margin = (p: JoinPair): number => p.normalisation === 'exact' ? NORMALISED_MARGIN : 0
  return joinScore(pair) + margin(pair) > joinScore(than) + margin(than) || (joinScore(pair) + margin(pair) === joinScore(than) + margin(than) && NORMALISATIONS.indexOf(pair.normalisation) < NORMALISATIONS.indexOf(than.normalisation))
}

// A column of a handful of values (a currency, a status) joins nothing on its own: left out.
const joinColumns = (t: TableProfile): ColumnProfile[] => t.columns.filter((c) => joinable(c) && c.distinct >= 10 && c.slot !== undefined)

/**
 * One side's distinct join values as a relation of (slot, norm, v, n) for every joinable column under
 * every normalisation, as text. The values as written are read from the profile's values table; the
 * normalised ones are computed from them into a table. A column that no upper-casing or dropping of
 * spaces changes is compared ignoring case and spaces as written, and only when the other side has one
 * it changes.
 */
async function valuesTable (connection: DuckDBConnection, profile: TableProfile, side: string, otherFolds: boolean): Promise<string> {
  const table = `kalla_join_values_${side}`
  const columns = joinColumns(profile)
  if (columns.length === 0) return "(SELECT 0 AS slot, 0 AS norm, '' AS v, 0 AS n WHERE false)"
  const from = (cs: readonly ColumnProfile[]): string => `FROM ${ident(profile.values)} WHERE slot IN (${cs.map((c) => c.slot).join(', ')})`
  const derived = (cs: readonly ColumnProfile[], norm: Normalisation): string =>
    `SELECT slot, ${NORMALISATIONS.indexOf(norm)} AS norm, w AS v, sum(n) AS n FROM (SELECT slot, ${normalised('v', norm)} AS w, n ${from(cs)}) WHERE w <> '' GROUP BY slot, w`
  const folding = columns.filter((c) => c.folds === true)
  const plain = columns.filter((c) => c.folds !== true)
  // A column of two kinds of prefix never joins without them (see samePrefix): its digits are not computed.
  const prefixed = columns.filter((c) => (c.prefixes ?? []).length <= 1)
  const computed = [...(folding.length > 0 ? [derived(folding, 'case_space')] : []), ...(prefixed.length > 0 ? [derived(prefixed, 'digits')] : [])]
  if (computed.length > 0) await connection.run(`CREATE TABLE ${table} AS ${computed.join(' UNION ALL ')}`)
  const written = [`SELECT slot, 0 AS norm, v, n ${from(columns)} AND v <> ''`, ...(otherFolds && plain.length > 0 ? [`SELECT slot, 1 AS norm, v, n ${from(plain)} AND v <> ''`] : [])]
  return `(${[...written, ...(computed.length > 0 ? [`SELECT slot, norm, v, n FROM ${table}`] : [])].join(' UNION ALL ')})`
}

/** Per sandbox: each joined column's distinct values under an expression (one table each), computed once. */
const memos = new WeakMap<DuckDBConnection, Map<string, string>>()

// A column is grouped by its join value once, however many columns of the other side it is compared with.
async function valueTable (connection: DuckDBConnection, m: Measured): Promise<string> {
  let memo = memos.get(connection)
  if (memo === undefined) memos.set(connection, memo = new Map())
  const known = memo.get(m.values)
  if (known !== undefined) return known
  const table = `kalla_join_values_${memo.size}`
  await connection.run(`CREATE TEMP TABLE ${table} AS ${m.values}`)
  memo.set(m.values, table)
  return table
}

/**
 * Dropping prefixes is only safe for one kind of reference, written with its prefix or without:
 * INV-0042 against 42, not INV-0042 against PAY-0042 or B-0042.
 */
function samePrefix (left: readonly string[], right: readonly string[]): boolean {
  if (left.length > 1 || right.length > 1) return false
  return left.length === 0 || right.length === 0 || left[0] === right[0]
}

/** A column of a side to measure, and the query of its non-empty join values with their counts (v, n). */
interface Measured { column: string, values: string }

// A column's join values from its distinct values: as written, or the first text matching a pattern.
function measured (profile: TableProfile, column: ColumnProfile, regex?: string): Measured {
  const from = `FROM ${ident(profile.values)} WHERE slot = ${column.slot ?? -1}`
  const values = regex === undefined
    ? `SELECT v, n ${from} AND v <> ''`
    : `SELECT w AS v, sum(n) AS n FROM (SELECT ${normalised('v', 'embedded', regex)} AS w, n ${from}) WHERE w <> '' GROUP BY 1`
  return { column: column.name, values }
}

/** Coverage both ways and the join's cardinality, from the distinct values of each side and their counts. */
export async function measurePair (connection: DuckDBConnection, l: Measured, r: Measured, normalisation: Normalisation, pattern?: JoinPair['pattern'], rows?: { left?: number, right?: number }): Promise<JoinPair> {
  const [lt, rt] = [await valueTable(connection, l), await valueTable(connection, r)]
  const reader = await connection.runAndReadAll(`WITH lv AS (SELECT v, n FROM ${lt}), rv AS (SELECT v, n FROM ${rt})
    SELECT coalesce(sum(lv.n), 0) AS lrows, coalesce(sum(rv.n), 0) AS rrows,
      coalesce(sum(lv.n) FILTER (WHERE rv.v IS NOT NULL), 0) AS lmatched, coalesce(sum(rv.n) FILTER (WHERE lv.v IS NOT NULL), 0) AS rmatched,
      count(*) FILTER (WHERE lv.v IS NOT NULL AND rv.v IS NOT NULL) AS shared,
      count(*) FILTER (WHERE lv.v IS NOT NULL AND rv.n > 1) AS lmany, count(*) FILTER (WHERE rv.v IS NOT NULL AND lv.n > 1) AS rmany
    FROM lv FULL JOIN rv ON lv.v = rv.v`)
  const row = reader.getRowObjectsJS()[0] ?? {}
  const n = (k: string): number => Number(row[k] ?? 0)
  return {
    left: l.column,
    right: r.column,
    normalisation,
    ...(pattern === undefined ? {} : { pattern }),
    leftCoverage: share(n('lmatched'), rows?.left ?? n('lrows')),
    rightCoverage: share(n('rmatched'), rows?.right ?? n('rrows')),
    nameSimilarity: nameSimilarity(l.column, r.column),
    cardinality: { leftValuesWithManyRight: n('lmany'), rightValuesWithManyLeft: n('rmany'), matchedLeftValues: n('shared'), matchedRightValues: n('shared') }
  }
}

const share = (part: number, whole: number): number => whole === 0 ? 0 : part / whole

/** References written inside the other side's free text: a key's shape (INV-[0-9]+) searched for in each text column. */
async function embeddedPairs (connection: DuckDBConnection, left: TableProfile, right: TableProfile): Promise<JoinPair[]> {
  const found: JoinPair[] = []
  for (const [keys, texts, keySide] of [[left, right, 'left'], [right, left, 'right']] as const) {
    // Only free text longer than the references themselves can hold one written inside it; a grouping
    // id is looked for in long free text only (a bank line's description), which keeps the search cheap.
    const longEnough = (key: ColumnProfile, c: ColumnProfile): boolean => c.meanLength > key.meanLength + 2 && (identifying(key) || c.meanLength >= FREE_TEXT)
    // A grouping id (a payout's, shared by the many lines it pays) is searched for too: batches quote it.
    const searched = keys.columns.filter((c) => c.kind === 'text' && c.distinct >= 10)
      .map((key) => ({ key, within: texts.columns.filter((c) => c.kind === 'text' && longEnough(key, c)) }))
      .filter((s) => s.within.length > 0)
    const shapes = await valueShapes(connection, keys, searched.map((s) => s.key))
    for (const { key, within } of searched) {
      const regex = shapes.get(key.name)
      if (regex === undefined) continue
      for (const text of within) {
        const pattern = { regex, textSide: keySide === 'left' ? 'right' as const : 'left' as const }
        // Coverage is of all the text, not only of the text the pattern was found in.
        found.push(keySide === 'left'
          ? await measurePair(connection, measured(keys, key), measured(texts, text, regex), 'embedded', pattern, { right: text.nonNull })
          : await measurePair(connection, measured(texts, text, regex), measured(keys, key), 'embedded', pattern, { left: text.nonNull }))
      }
    }
  }
  return found
}
