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
  /** Columns unique and never empty in the sample, most key-like first. */
  keys: string[]
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
  return { alias, rows, columns: profiles, keys: candidateKeys(profiles, rows) }
}

const KEY_WORDS = /(^|[^a-z])(id|number|no|nr|num|key|ref|reference|code)([^a-z]|$)/i

/** Unique, never-empty text or integer columns; names that say "id" or "number" first, then file order. */
function candidateKeys (columns: readonly ColumnProfile[], rows: number): string[] {
  if (rows === 0) return []
  const unique = columns.filter((c) => (c.kind === 'text' || c.kind === 'integer') && c.nonNull === rows && c.distinct === rows)
  const score = (c: ColumnProfile): number => (KEY_WORDS.test(c.name.replace(/([a-z])([A-Z])/g, '$1 $2')) ? 0 : 1)
  return unique.map((c, i) => ({ c, i })).sort((a, b) => score(a.c) - score(b.c) || a.i - b.i).map(({ c }) => c.name)
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
