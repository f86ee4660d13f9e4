import type { DuckDBConnection } from '@duckdb/node-api'
import { ident, literal } from '../sql/quote.ts'
import { SPACE_CLASS } from './number-text.ts'

/** Where a table's rows came from, to name a row as the user sees it: "line 2,041" or "record 7". */
export interface RowLabel { unit: 'line' | 'record', first: number }

/** The first value of a column (in file order) for which `condition` holds, and how many such values there are. */
export interface Offenders { count: number, first?: { row: number, value: string } }

export const BLANK = `${SPACE_CLASS}*`

/** `v` holds a value: blank text is NULL by the time columns are typed (see blanksToNull). */
export function present (v: string): string {
  return `${v} IS NOT NULL`
}

/** True when some non-blank value of the column does not match `pattern`; stops at the first one found. */
export async function anyNotMatching (connection: DuckDBConnection, table: string, column: string, pattern: string): Promise<boolean> {
  return await anyNotSatisfying(connection, table, column, (v) => `regexp_full_match(${v}, ${literal(pattern)})`)
}

/** True when some non-blank value of the column fails `condition`; stops at the first one found. */
export async function anyNotSatisfying (connection: DuckDBConnection, table: string, column: string, condition: (v: string) => string): Promise<boolean> {
  const v = ident(column)
  const reader = await connection.runAndReadAll(`SELECT 1 FROM ${ident(table)} WHERE ${present(v)} AND NOT (${condition(v)}) LIMIT 1`)
  return reader.getRowsJS().length > 0
}

/** True when the column has a non-blank value. */
export async function hasValues (connection: DuckDBConnection, table: string, column: string): Promise<boolean> {
  const v = ident(column)
  const reader = await connection.runAndReadAll(`SELECT 1 FROM ${ident(table)} WHERE ${present(v)} LIMIT 1`)
  return reader.getRowsJS().length > 0
}

/** Aggregates `items` over the non-blank values of a column; returns the one row. */
export async function aggregate (connection: DuckDBConnection, table: string, column: string, items: string[], pattern?: string): Promise<unknown[]> {
  const v = ident(column)
  const only = pattern === undefined ? '' : ` AND regexp_full_match(${v}, ${literal(pattern)})`
  const reader = await connection.runAndReadAll(`SELECT ${items.join(', ')} FROM ${ident(table)} WHERE ${present(v)}${only}`)
  return reader.getRowsJS()[0] ?? []
}

/** The non-blank values for which `failing` (an SQL condition over the column) holds: count and first. */
export async function offenders (connection: DuckDBConnection, table: string, column: string, failing: string): Promise<Offenders> {
  const v = ident(column)
  const reader = await connection.runAndReadAll(`SELECT count(*), min(rowid), arg_min(${v}, rowid) FROM ${ident(table)} WHERE ${present(v)} AND (${failing})`)
  const [count, row, value] = reader.getRowsJS()[0] ?? []
  const n = Number(count ?? 0)
  return n === 0 ? { count: 0 } : { count: n, first: { row: Number(row), value: String(value) } }
}

/** What offending values are not, in the singular and plural: ['a number', 'numbers']. */
export type Kind = readonly [string, string]

/** "37 values are not numbers (first at line 2,041: `n/a`)": a count and where the first is. */
export function describeOffenders (found: Offenders, kind: Kind, label: RowLabel, suffix = ''): string {
  const first = found.first === undefined ? '' : ` (first at ${label.unit} ${(found.first.row + label.first).toLocaleString('en-US')}: \`${found.first.value}\`)`
  const one = found.count === 1
  return `${found.count.toLocaleString('en-US')} value${one ? ' is' : 's are'} not ${one ? kind[0] : kind[1]}${suffix}${first}`
}

/**
 * Empty and spaces-only text becomes NULL in the text columns that hold any. One pass over all of them,
 * which also computes `extra` aggregates (so other measures share the scan); returns the columns
 * rewritten and the extra values (which describe the columns as they were before the rewrite).
 */
export async function blanksToNull (connection: DuckDBConnection, table: string, columns: readonly string[], extra: readonly string[] = []): Promise<{ rewritten: Set<string>, extra: unknown[] }> {
  if (columns.length === 0 && extra.length === 0) return { rewritten: new Set(), extra: [] }
  // A blank value starts with a space, a tab, a no-break space or nothing: string comparisons find the
  // columns that could hold one (a value starting with a space, say), and only those are rewritten.
  const checks = columns.map((c) => {
    const v = ident(c)
    return `bool_or(${v} < '!' OR (${v} >= '\u00a0' AND ${v} < '\u00a1') OR (${v} >= '\u202f' AND ${v} < '\u2030'))`
  })
  const row = (await connection.runAndReadAll(`SELECT ${[...checks, ...extra].join(', ')} FROM ${ident(table)}`)).getRowsJS()[0] ?? []
  const blank = columns.filter((_, i) => row[i] === true)
  if (blank.length > 0) {
    const sets = blank.map((c) => `${ident(c)} = CASE WHEN regexp_full_match(${ident(c)}, ${literal(BLANK)}) THEN NULL ELSE ${ident(c)} END`)
    await connection.run(`UPDATE ${ident(table)} SET ${sets.join(', ')}`)
  }
  return { rewritten: new Set(blank), extra: row.slice(columns.length) }
}

/** Deletes the rows whose every column is NULL (blank lines of a spreadsheet export); returns how many. */
export async function dropBlankRows (connection: DuckDBConnection, table: string, columns: readonly string[]): Promise<number> {
  if (columns.length === 0) return 0
  const reader = await connection.runAndReadAll(`DELETE FROM ${ident(table)} WHERE ${columns.map((c) => `${ident(c)} IS NULL`).join(' AND ')}`)
  return Number(reader.getRowsJS()[0]?.[0] ?? 0)
}
