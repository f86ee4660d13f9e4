import type { DuckDBConnection } from '@duckdb/node-api'
import { ident } from '../sql/quote.ts'
import type { Column } from '../stage/columns.ts'

export type ColumnKind = 'text' | 'integer' | 'decimal' | 'date' | 'timestamp' | 'other'

/** One column of a profiled table: its type as staging gave it, and counts over the sampled rows. */
export interface ColumnProfile {
  name: string
  type: string
  kind: ColumnKind
  nonNull: number
  distinct: number
  /** Mean length of the values as text: long free text may hold references written inside it. */
  meanLength: number
  /** Text and integer columns: the number under which the table's values table holds the column's distinct values. */
  slot?: number
  /** Whether some value changes when upper-cased without spaces, so comparing it so can find more. */
  folds?: boolean
  /** Text and integer columns: the letter prefixes (INV, B, ...) on at least 2 % of the values, in order. */
  prefixes?: string[]
}

export interface TableProfile {
  alias: string
  rows: number
  columns: ColumnProfile[]
  /** Keys found in the sample, most key-like first: single columns unique and never empty, else pairs, else triples of columns. */
  keys: string[][]
  /** A table of every text and integer column's distinct values as text with their counts: (slot, v, n). */
  values: string
}

export function kindOf (type: string): ColumnKind {
  if (type === 'VARCHAR') return 'text'
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/.test(type)) return 'integer'
  if (/^DECIMAL|^DOUBLE$|^FLOAT$/.test(type)) return 'decimal'
  if (type === 'DATE') return 'date'
  if (type.startsWith('TIMESTAMP')) return 'timestamp'
  return 'other'
}

const grouped = (kind: ColumnKind): boolean => kind === 'text' || kind === 'integer'

/**
 * Profiles a staged table: one pass groups every text and integer column by its values into the table
 * `values` (the join search and value shapes read those distinct values, not the rows again); their
 * counts and letter prefixes come from it, and one more pass counts the other columns.
 */
export async function profileTable (connection: DuckDBConnection, alias: string, columns: readonly Column[], values: string): Promise<TableProfile> {
  const kinds = columns.map((c) => kindOf(c.type))
  const slots = columns.map((_c, i) => i).filter((i) => grouped(kinds[i]!))
  const parts = slots.map((i) => `SELECT ${i} AS slot, CAST(${ident(columns[i]!.name)} AS VARCHAR) AS v, count(*) AS n FROM ${ident(alias)} WHERE ${ident(columns[i]!.name)} IS NOT NULL GROUP BY ALL`)
  await connection.run(`CREATE TABLE ${ident(values)} AS ${parts.length === 0 ? "SELECT 0 AS slot, '' AS v, 0 AS n WHERE false" : parts.join(' UNION ALL ')}`)
  const counted = (await connection.runAndReadAll(`SELECT slot, sum(d) AS d, sum(n) AS nn, sum(l) / sum(n) AS l, bool_or(f) AS f,
      coalesce(list(p ORDER BY p) FILTER (WHERE p <> '' AND n >= 0.02 * total), []) AS p
    FROM (SELECT *, sum(n) OVER (PARTITION BY slot) AS total FROM (
      SELECT slot, regexp_extract(upper(v), '^[A-Z]*') AS p, count(*) AS d, sum(n) AS n, sum(length(v) * n) AS l, bool_or(v <> upper(v) OR contains(v, ' ')) AS f
      FROM ${ident(values)} GROUP BY ALL)) GROUP BY slot`)).getRowObjectsJS()
  const bySlot = new Map(counted.map((r) => [Number(r.slot), r]))
  const others = columns.flatMap((c, i) => grouped(kinds[i]!) ? [] : [`count(${ident(c.name)}) AS n${i}`, `count(DISTINCT ${ident(c.name)}) AS d${i}`, `coalesce(avg(length(CAST(${ident(c.name)} AS VARCHAR))), 0) AS l${i}`])
  const row = (await connection.runAndReadAll(`SELECT count(*) AS rows${others.length > 0 ? ', ' : ''}${others.join(', ')} FROM ${ident(alias)}`)).getRowObjectsJS()[0] ?? {}
  const rows = Number(row.rows ?? 0)
  const profiles = columns.map((c, i): ColumnProfile => {
    const base = { name: c.name, type: c.type, kind: kinds[i]! }
    if (!grouped(base.kind)) return { ...base, nonNull: Number(row[`n${i}`] ?? 0), distinct: Number(row[`d${i}`] ?? 0), meanLength: Number(row[`l${i}`] ?? 0) }
    const s = bySlot.get(i)
    return { ...base, nonNull: Number(s?.nn ?? 0), distinct: Number(s?.d ?? 0), meanLength: Number(s?.l ?? 0), slot: i, folds: s?.f === true, prefixes: ((s?.p ?? []) as unknown[]).map(String) }
  })
  const single = candidateKeys(profiles, rows).map((name) => [name])
  return { alias, rows, columns: profiles, keys: single.length > 0 ? single : await tupleKeys(connection, alias, profiles, rows), values }
}

// Columns tried as a key together when no column is one alone: pairs of the first this many key-like
// columns, then, when no pair is unique, triples of the first TRIPLE_COLUMNS.
const PAIR_COLUMNS = 12
const TRIPLE_COLUMNS = 8

/**
 * Two or three columns whose values together are unique and never empty (a company code and an invoice
 * number that starts again in each company; a region, a company and such a number), counted in one query
 * per width over every pair or triple; key-like names first. Triples are tried only when no pair is a key.
 */
async function tupleKeys (connection: DuckDBConnection, alias: string, columns: readonly ColumnProfile[], rows: number): Promise<string[][]> {
  if (rows === 0) return []
  const usable = columns.filter((c) => (c.kind === 'text' || c.kind === 'integer') && c.nonNull === rows && c.distinct > 1)
    .sort((a, b) => keyScore(a) - keyScore(b)).slice(0, PAIR_COLUMNS)
  const pairs = usable.flatMap((a, i) => usable.slice(i + 1).map((b) => [a, b]))
  const found = await uniqueTuples(connection, alias, columns, pairs, rows)
  if (found.length > 0) return found
  const few = usable.slice(0, TRIPLE_COLUMNS)
  return await uniqueTuples(connection, alias, columns, few.flatMap((a, i) => few.slice(i + 1).flatMap((b, j) => few.slice(i + j + 2).map((c) => [a, b, c]))), rows)
}

// The tuples whose values are unique over the rows, fewest non-key-like names first, each in file order.
async function uniqueTuples (connection: DuckDBConnection, alias: string, columns: readonly ColumnProfile[], tuples: ColumnProfile[][], rows: number): Promise<string[][]> {
  if (tuples.length === 0) return []
  const counts = tuples.map((tuple, i) => `count(DISTINCT (${tuple.map((c) => ident(c.name)).join(', ')})) AS k${i}`)
  const row = (await connection.runAndReadAll(`SELECT ${counts.join(', ')} FROM ${ident(alias)}`)).getRowObjectsJS()[0] ?? {}
  const order = (c: ColumnProfile): number => columns.indexOf(c)
  const score = (tuple: readonly ColumnProfile[]): number => tuple.reduce((sum, c) => sum + keyScore(c), 0)
  return tuples.filter((_, i) => Number(row[`k${i}`] ?? 0) === rows)
    .sort((x, y) => score(x) - score(y))
    .map((tuple) => [...tuple].sort((a, b) => order(a) - order(b)).map((c) => c.name))
}

const keyScore = (c: ColumnProfile): number => (KEY_WORDS.test(c.name.replace(/([a-z])([A-Z])/g, '$1 $2')) ? 0 : 1)

const KEY_WORDS = /(^|[^a-z])(id|number|no|nr|num|key|ref|reference|code)([^a-z]|$)/i

/** Unique, never-empty text or integer columns; names that say "id" or "number" first, then file order. */
function candidateKeys (columns: readonly ColumnProfile[], rows: number): string[] {
  if (rows === 0) return []
  const unique = columns.filter((c) => (c.kind === 'text' || c.kind === 'integer') && c.nonNull === rows && c.distinct === rows)
  return unique.map((c, i) => ({ c, i })).sort((a, b) => keyScore(a.c) - keyScore(b.c) || a.i - b.i).map(({ c }) => c.name)
}

/** How alike two column names are, 0 to 1: shared words count most, then shared letters. */
export function nameSimilarity (a: string, b: string): number {
  const words = (s: string): Set<string> => new Set(s.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 0))
  const x = words(a)
  const y = words(b)
  const shared = [...x].filter((w) => y.has(w)).length
  const union = new Set([...x, ...y]).size
  return union === 0 ? 0 : shared / union
}
