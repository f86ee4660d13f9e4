import type { DuckDBConnection } from '@duckdb/node-api'
import { ident, literal } from '../sql/quote.ts'
import { nameSimilarity, type ColumnProfile, type TableProfile } from './profile.ts'
import type { JoinPair, Normalisation } from './types.ts'

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
  if (normalisation === 'case_space') return `upper(regexp_replace(${text}, '\\s+', '', 'g'))`
  if (normalisation === 'digits') return `ltrim(regexp_replace(upper(${text}), '^[A-Z]*[^A-Z0-9]*', ''), '0')`
  if (normalisation === 'embedded' && regex !== undefined) return `regexp_extract(${text}, ${literal(regex)})`
  return text
}

const joinable = (c: ColumnProfile): boolean => c.kind === 'text' || c.kind === 'integer'
// An identifier-like column: most of its values distinct, and more than a handful of them.
const identifying = (c: ColumnProfile): boolean => c.distinct >= 10 && c.distinct >= 0.5 * c.nonNull

/** Every column pair whose values line up, measured over the whole sample, best first. */
export async function findJoinPairs (connection: DuckDBConnection, left: TableProfile, right: TableProfile): Promise<JoinPair[]> {
  const found: JoinPair[] = []
  for (const l of left.columns.filter(joinable)) {
    for (const r of right.columns.filter(joinable)) {
      if (!identifying(l) && !identifying(r)) continue
      const best = await bestNormalisation(connection, left.alias, l, right.alias, r)
      if (best !== undefined) found.push(best)
    }
  }
  const embedded = (await embeddedPairs(connection, left, right)).filter((e) => !found.some((p) => p.left === e.left && p.right === e.right && joinScore(p) >= joinScore(e) - 0.01))
  found.push(...embedded)
  return found.filter((p) => Math.max(p.leftCoverage, p.rightCoverage) >= MIN_COVERAGE).sort((a, b) => joinScore(b) - joinScore(a))
}

export function joinScore (pair: JoinPair): number {
  return (pair.leftCoverage + pair.rightCoverage) / 2 + 0.05 * pair.nameSimilarity
}

async function bestNormalisation (connection: DuckDBConnection, la: string, l: ColumnProfile, ra: string, r: ColumnProfile): Promise<JoinPair | undefined> {
  const asText = l.kind !== r.kind
  let best: JoinPair | undefined
  for (const normalisation of NORMALISATIONS) {
    if (normalisation === 'digits' && !samePrefix(await prefixes(connection, la, l.name), await prefixes(connection, ra, r.name))) continue
    const text = asText || normalisation !== 'exact'
    const pair = await measurePair(connection, { alias: la, column: l.name, expression: joinExpression(la, l.name, normalisation, text) }, { alias: ra, column: r.name, expression: joinExpression(ra, r.name, normalisation, text) }, normalisation)
    const margin = best?.normalisation === 'exact' ? NORMALISED_MARGIN : 0
    if (best === undefined || joinScore(pair) > joinScore(best) + margin) best = pair
  }
  return best !== undefined && best.leftCoverage + best.rightCoverage > 0 ? best : undefined
}

/**
 * The letter prefixes a column's values carry (INV, B, ...), counting those on at least 2 % of them.
 * Dropping prefixes is only safe for one kind of reference, written with its prefix or without:
 * INV-0042 against 42, not INV-0042 against PAY-0042 or B-0042.
 */
async function prefixes (connection: DuckDBConnection, alias: string, column: string): Promise<string[]> {
  const prefix = `regexp_extract(upper(CAST(${ident(column)} AS VARCHAR)), '^[A-Z]*')`
  const reader = await connection.runAndReadAll(`SELECT p FROM (SELECT ${prefix} AS p, count(*) AS n FROM ${ident(alias)} WHERE ${ident(column)} IS NOT NULL GROUP BY 1) WHERE p <> '' AND n >= 0.02 * (SELECT count(${ident(column)}) FROM ${ident(alias)}) ORDER BY 1`)
  return reader.getRowsJS().map((r) => String(r[0]))
}

function samePrefix (left: readonly string[], right: readonly string[]): boolean {
  if (left.length > 1 || right.length > 1) return false
  return left.length === 0 || right.length === 0 || left[0] === right[0]
}

interface Measured { alias: string, column: string, expression: string }

/** Coverage both ways and the join's cardinality, from the distinct values of each side and their counts. */
export async function measurePair (connection: DuckDBConnection, l: Measured, r: Measured, normalisation: Normalisation, pattern?: JoinPair['pattern'], rows?: { left?: number, right?: number }): Promise<JoinPair> {
  const side = (m: Measured): string => `SELECT ${m.expression} AS v, count(*) AS n FROM ${ident(m.alias)} WHERE coalesce(CAST(${m.expression} AS VARCHAR), '') <> '' GROUP BY 1`
  const reader = await connection.runAndReadAll(`WITH lv AS (${side(l)}), rv AS (${side(r)})
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
    for (const key of keys.columns.filter((c) => c.kind === 'text' && identifying(c))) {
      const regex = await valueShape(connection, keys.alias, key.name)
      if (regex === undefined) continue
      for (const text of texts.columns.filter((c) => c.kind === 'text')) {
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

const SHAPE_SHARE = 0.8
// More distinct words than this at one place of the shape (customer names, not document types) become [A-Za-z]+.
const MAX_WORDS = 4

/**
 * The regular expression most of a column's values fit: digit runs generalised, letter runs kept as the
 * words written there, so invoices and credit notes alike are found: SI-004101, CN-004120 -> (CN|SI)-[0-9]+.
 */
async function valueShape (connection: DuckDBConnection, alias: string, column: string): Promise<string | undefined> {
  const reader = await connection.runAndReadAll(`SELECT DISTINCT CAST(${ident(column)} AS VARCHAR) FROM ${ident(alias)} WHERE ${ident(column)} IS NOT NULL ORDER BY 1 LIMIT 500`)
  const values = reader.getRowsJS().map((r) => String(r[0]))
  const shapeOf = (v: string): string => v.replace(/[0-9]+/g, '0').replace(/[A-Za-z]+/g, 'A')
  const shapes = new Map<string, string[]>()
  for (const v of values) shapes.set(shapeOf(v), [...(shapes.get(shapeOf(v)) ?? []), v])
  const [shape, members] = [...shapes.entries()].sort((a, b) => b[1].length - a[1].length)[0] ?? ['', []]
  if (members.length < SHAPE_SHARE * values.length || !shape.includes('0') || !shape.includes('A')) return undefined
  const tokens = (v: string): string[] => v.match(/[0-9]+|[A-Za-z]+|[^0-9A-Za-z]+/g) ?? []
  return tokens(shape).map((token, i) => {
    if (token === '0') return '[0-9]+'
    if (token !== 'A') return escapeRegex(token)
    const words = [...new Set(members.map((m) => tokens(m)[i] ?? ''))].sort()
    return words.length > MAX_WORDS ? '[A-Za-z]+' : words.length === 1 ? escapeRegex(words[0]!) : `(${words.map(escapeRegex).join('|')})`
  }).join('')
}

function escapeRegex (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
}
