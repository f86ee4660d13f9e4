import type { DuckDBConnection } from '@duckdb/node-api'
import { ident, literal } from '../sql/quote.ts'
import { nameSimilarity, type ColumnProfile, type TableProfile } from './profile.ts'
import type { JoinPair, Normalisation } from './types.ts'
import { valueShape } from './value-shape.ts'

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
  const text = asText ? `CAST(${col} AS VARCHAR)` : col
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

/** Every column pair whose values line up, measured over the whole sample, best first. */
export async function findJoinPairs (connection: DuckDBConnection, left: TableProfile, right: TableProfile): Promise<JoinPair[]> {
  const found = await directPairs(connection, left, right)
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
async function directPairs (connection: DuckDBConnection, left: TableProfile, right: TableProfile): Promise<JoinPair[]> {
  const [lt, rt] = [await valuesTable(connection, left, 'l'), await valuesTable(connection, right, 'r')]
  const totals = new Map<string, number>()
  for (const table of [lt, rt]) {
    const reader = await connection.runAndReadAll(`SELECT col, norm, sum(n) FROM ${table} GROUP BY ALL`)
    for (const [col, norm, n] of reader.getRowsJS()) totals.set(`${table}|${String(col)}|${String(norm)}`, Number(n))
  }
  const reader = await connection.runAndReadAll(`SELECT l.col AS lc, r.col AS rc, l.norm AS norm, sum(l.n) AS lm, sum(r.n) AS rm, count(*) AS shared,
    count(*) FILTER (WHERE r.n > 1) AS lmany, count(*) FILTER (WHERE l.n > 1) AS rmany
    FROM ${lt} l JOIN ${rt} r ON l.norm = r.norm AND l.v = r.v GROUP BY ALL`)
  const byColumns = new Map<string, JoinPair>()
  for (const row of reader.getRowObjectsJS()) {
    const [lc, rc, norm] = [String(row.lc), String(row.rc), String(row.norm) as Normalisation]
    const l = left.columns.find((c) => c.name === lc)!
    const r = right.columns.find((c) => c.name === rc)!
    // A column of a two-column key identifies records with its partner: it may join though it repeats.
    const keyed = (t: TableProfile, c: ColumnProfile): boolean => identifying(c) || t.keys.some((k) => k.length > 1 && k.includes(c.name))
    if (!keyed(left, l) && !keyed(right, r)) continue
    if (norm === 'digits' && !samePrefix(await prefixes(connection, left.alias, lc), await prefixes(connection, right.alias, rc))) continue
    const n = (k: string): number => Number(row[k] ?? 0)
    const pair: JoinPair = {
      left: lc,
      right: rc,
      normalisation: norm,
      leftCoverage: share(n('lm'), totals.get(`${lt}|${lc}|${norm}`) ?? 0),
      rightCoverage: share(n('rm'), totals.get(`${rt}|${rc}|${norm}`) ?? 0),
      nameSimilarity: nameSimilarity(lc, rc),
      cardinality: { leftValuesWithManyRight: n('lmany'), rightValuesWithManyLeft: n('rmany'), matchedLeftValues: n('shared'), matchedRightValues: n('shared') }
    }
    const key = `${lc}\u0000${rc}`
    const best = byColumns.get(key)
    if (best === undefined || better(pair, best)) byColumns.set(key, pair)
  }
  return [...byColumns.values()]
}

// Comparing values as written wins unless a normalisation joins clearly more.
function better (pair: JoinPair, than: JoinPair): boolean {
  const margin = (p: JoinPair): number => p.normalisation === 'exact' ? NORMALISED_MARGIN : 0
  return joinScore(pair) + margin(pair) > joinScore(than) + margin(than) || (joinScore(pair) + margin(pair) === joinScore(than) + margin(than) && NORMALISATIONS.indexOf(pair.normalisation) < NORMALISATIONS.indexOf(than.normalisation))
}

/** One side's distinct join values: (col, norm, v, n) for every joinable column under every normalisation, as text. */
async function valuesTable (connection: DuckDBConnection, profile: TableProfile, side: string): Promise<string> {
  const table = `kalla_join_values_${side}`
  // A column of a handful of values (a currency, a status) joins nothing on its own: left out.
  const parts = profile.columns.filter((c) => joinable(c) && c.distinct >= 10).flatMap((c) => NORMALISATIONS.map((norm) => {
    const expression = joinExpression(profile.alias, c.name, norm, true)
    return `SELECT ${literal(c.name)} AS col, ${literal(norm)} AS norm, v, count(*) AS n FROM (SELECT ${expression} AS v FROM ${ident(profile.alias)}) WHERE coalesce(v, '') <> '' GROUP BY ALL`
  }))
  await connection.run(`CREATE TEMP TABLE ${table} AS ${parts.length === 0 ? "SELECT '' AS col, '' AS norm, '' AS v, 0 AS n WHERE false" : parts.join(' UNION ALL ')}`)
  return table
}

/**
 * The letter prefixes a column's values carry (INV, B, ...), counting those on at least 2 % of them.
 * Dropping prefixes is only safe for one kind of reference, written with its prefix or without:
 * INV-0042 against 42, not INV-0042 against PAY-0042 or B-0042.
 */
async function prefixes (connection: DuckDBConnection, alias: string, column: string): Promise<string[]> {
  const memo = memoOf(connection)
  const key = `${alias}.${column}`
  const known = memo.prefixes.get(key)
  if (known !== undefined) return known
  const prefix = `regexp_extract(upper(CAST(${ident(column)} AS VARCHAR)), '^[A-Z]*')`
  const reader = await connection.runAndReadAll(`SELECT p FROM (SELECT ${prefix} AS p, count(*) AS n FROM ${ident(alias)} WHERE ${ident(column)} IS NOT NULL GROUP BY 1) WHERE p <> '' AND n >= 0.02 * (SELECT count(${ident(column)}) FROM ${ident(alias)}) ORDER BY 1`)
  const found = reader.getRowsJS().map((r) => String(r[0]))
  memo.prefixes.set(key, found)
  return found
}

/** Per sandbox: each side's distinct join values (one table per column and normalisation) and prefixes, computed once. */
interface Memo { tables: Map<string, string>, prefixes: Map<string, string[]> }
const memos = new WeakMap<DuckDBConnection, Memo>()

function memoOf (connection: DuckDBConnection): Memo {
  let memo = memos.get(connection)
  if (memo === undefined) memos.set(connection, memo = { tables: new Map(), prefixes: new Map() })
  return memo
}

// A column is grouped by its join value once, however many columns of the other side it is compared with.
async function valueTable (connection: DuckDBConnection, m: Measured): Promise<string> {
  const memo = memoOf(connection)
  const key = `${m.alias}\u0000${m.expression}`
  const known = memo.tables.get(key)
  if (known !== undefined) return known
  const table = `kalla_join_values_${memo.tables.size}`
  await connection.run(`CREATE TEMP TABLE ${table} AS SELECT ${m.expression} AS v, count(*) AS n FROM ${ident(m.alias)} WHERE coalesce(CAST(${m.expression} AS VARCHAR), '') <> '' GROUP BY 1`)
  memo.tables.set(key, table)
  return table
}

function samePrefix (left: readonly string[], right: readonly string[]): boolean {
  if (left.length > 1 || right.length > 1) return false
  return left.length === 0 || right.length === 0 || left[0] === right[0]
}

interface Measured { alias: string, column: string, expression: string }

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
    // A grouping id (a payout's, shared by the many lines it pays) is searched for too: batches quote it.
    for (const key of keys.columns.filter((c) => c.kind === 'text' && c.distinct >= 10)) {
      const regex = await valueShape(connection, keys.alias, key.name)
      if (regex === undefined) continue
      // Only free text longer than the references themselves can hold one written inside it; a grouping
      // id is looked for in long free text only (a bank line's description), which keeps the search cheap.
      const longEnough = (c: ColumnProfile): boolean => c.meanLength > key.meanLength + 2 && (identifying(key) || c.meanLength >= FREE_TEXT)
      for (const text of texts.columns.filter((c) => c.kind === 'text' && longEnough(c))) {
        const keyed = { alias: keys.alias, column: key.name, expression: joinExpression(keys.alias, key.name, 'exact', false) }
        const texted = { alias: texts.alias, column: text.name, expression: joinExpression(texts.alias, text.name, 'embedded', false, regex) }
        const pattern = { regex, textSide: keySide === 'left' ? 'right' as const : 'left' as const }
        // Coverage is of all the text, not only of the text the pattern was found in.
        found.push(keySide === 'left'
          ? await measurePair(connection, keyed, texted, 'embedded', pattern, { right: text.nonNull })
          : await measurePair(connection, texted, keyed, 'embedded', pattern, { left: text.nonNull }))
      }
    }
  }
  return found
}
