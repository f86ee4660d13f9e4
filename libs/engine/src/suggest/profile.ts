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
}

export interface TableProfile {
  alias: string
  rows: number
  columns: ColumnProfile[]
  /** Keys found in the sample, most key-like first: single columns unique and never empty, else pairs of columns. */
  keys: string[][]
}

export function kindOf (type: string): ColumnKind {
  if (type === 'VARCHAR') return 'text'
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/.test(type)) return 'integer'
  if (/^DECIMAL|^DOUBLE$|^FLOAT$/.test(type)) return 'decimal'
  if (type === 'DATE') return 'date'
  if (type.startsWith('TIMESTAMP')) return 'timestamp'
  return 'other'
}

/** Counts every column of a staged table in one pass: rows, non-empty values and distinct values. */
export async function profileTable (connection: DuckDBConnection, alias: string, columns: readonly Column[]): Promise<TableProfile> {
  const parts = columns.flatMap((c, i) => [`count(${ident(c.name)}) AS n${i}`, `count(DISTINCT ${ident(c.name)}) AS d${i}`, `coalesce(avg(length(CAST(${ident(c.name)} AS VARCHAR))), 0) AS l${i}`])
  const reader = await connection.runAndReadAll(`SELECT count(*) AS rows${parts.length > 0 ? ', ' : ''}${parts.join(', ')} FROM ${ident(alias)}`)
  const row = reader.getRowObjectsJS()[0] ?? {}
  const rows = Number(row.rows ?? 0)
  const profiles = columns.map((c, i): ColumnProfile => ({ name: c.name, type: c.type, kind: kindOf(c.type), nonNull: Number(row[`n${i}`] ?? 0), distinct: Number(row[`d${i}`] ?? 0), meanLength: Number(row[`l${i}`] ?? 0) }))
  const single = candidateKeys(profiles, rows).map((name) => [name])
  return { alias, rows, columns: profiles, keys: single.length > 0 ? single : await pairKeys(connection, alias, profiles, rows) }
}

// Pairs of columns tried as a key when no column is one alone: the first this many key-like columns.
const PAIR_COLUMNS = 12

/**
 * Two columns whose values together are unique and never empty (a company code and an invoice number
 * that starts again in each company), counted in one query over every pair; key-like names first.
 */
async function pairKeys (connection: DuckDBConnection, alias: string, columns: readonly ColumnProfile[], rows: number): Promise<string[][]> {
  if (rows === 0) return []
  const usable = columns.filter((c) => (c.kind === 'text' || c.kind === 'integer') && c.nonNull === rows && c.distinct > 1)
    .sort((a, b) => keyScore(a) - keyScore(b)).slice(0, PAIR_COLUMNS)
  const pairs = usable.flatMap((a, i) => usable.slice(i + 1).map((b) => [a, b] as const))
  if (pairs.length === 0) return []
  const counts = pairs.map(([a, b], i) => `count(DISTINCT (${ident(a.name)}, ${ident(b.name)})) AS k${i}`)
  const row = (await connection.runAndReadAll(`SELECT ${counts.join(', ')} FROM ${ident(alias)}`)).getRowObjectsJS()[0] ?? {}
  const order = (c: ColumnProfile): number => columns.indexOf(c)
  return pairs.filter((_, i) => Number(row[`k${i}`] ?? 0) === rows)
    .sort((x, y) => keyScore(x[0]) + keyScore(x[1]) - keyScore(y[0]) - keyScore(y[1]))
    .map((pair) => [...pair].sort((a, b) => order(a) - order(b)).map((c) => c.name))
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
