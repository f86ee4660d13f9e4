import type { DuckDBConnection } from '@duckdb/node-api'
import { ident, literal } from '../sql/quote.ts'
import { SPACE_CLASS } from './number-text.ts'

/**
 * Where a table's rows came from, to name a row as the user sees it: "line 2,041" or "record 7". Row 0 is
 * `first`, unless `lineOf` tells the file's line of a row (a CSV's records may span several lines).
 */
export interface RowLabel { unit: 'line' | 'record', first: number, lineOf?: (row: number) => Promise<number | undefined> }

/** The first value of a column (in file order) for which `condition` holds, and how many such values there are; `at` is where it is, as `label` counts. */
export interface Offenders { count: number, first?: { row: number, value: string, at?: number } }

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
export async function offenders (connection: DuckDBConnection, table: string, column: string, failing: string, label?: RowLabel): Promise<Offenders> {
  const v = ident(column)
  const reader = await connection.runAndReadAll(`SELECT count(*), min(rowid), arg_min(${v}, rowid) FROM ${ident(table)} WHERE ${present(v)} AND (${failing})`)
  const [count, row, value] = reader.getRowsJS()[0] ?? []
  const n = Number(count ?? 0)
  if (n === 0) return { count: 0 }
  const at = await label?.lineOf?.(Number(row))
  return { count: n, first: { row: Number(row), value: String(value), ...(at === undefined ? {} : { at }) } }
}

/** What offending values are not, in the singular and plural: ['a number', 'numbers']. */
export type Kind = readonly [string, string]

/** "37 values are not numbers (first at line 2,041: `n/a`)": a count and where the first is. */
export function describeOffenders (found: Offenders, kind: Kind, label: RowLabel, suffix = ''): string {
  const at = found.first === undefined ? 0 : found.first.at ?? found.first.row + label.first
  const first = found.first === undefined ? '' : ` (first at ${label.unit} ${at.toLocaleString('en-US')}: \`${found.first.value}\`)`
  const one = found.count === 1
  return `${found.count.toLocaleString('en-US')} value${one ? ' is' : 's are'} not ${one ? kind[0] : kind[1]}${suffix}${first}`
}

// A blank value starts with a space, a tab, a no-break space or nothing: string comparisons pick the
// values that could be blank, and only those meet the regular expression.
function mayBeBlank (v: string): string {
  return `(${v} < '!' OR (${v} >= '\u00a0' AND ${v} < '\u00a1') OR (${v} >= '\u202f' AND ${v} < '\u2030'))`
}

/** The text `v` with empty and spaces-only values as NULL. */
export function blankAsNull (v: string): string {
  return `CASE WHEN ${mayBeBlank(v)} AND regexp_full_match(${v}, ${literal(BLANK)}) THEN NULL ELSE ${v} END`
}

/** Empty and spaces-only text becomes NULL in the text columns that hold any (one pass over all of them). */
export async function blanksToNull (connection: DuckDBConnection, table: string, columns: readonly string[]): Promise<void> {
  if (columns.length === 0) return
  const checks = columns.map((c) => `bool_or(${mayBeBlank(ident(c))})`)
  const row = (await connection.runAndReadAll(`SELECT ${checks.join(', ')} FROM ${ident(table)}`)).getRowsJS()[0] ?? []
  const blank = columns.filter((_, i) => row[i] === true)
  if (blank.length === 0) return
  await connection.run(`UPDATE ${ident(table)} SET ${blank.map((c) => `${ident(c)} = ${blankAsNull(ident(c))}`).join(', ')}`)
}

/** Deletes the rows whose every column is NULL (blank lines of a spreadsheet export); returns how many. */
export async function dropBlankRows (connection: DuckDBConnection, table: string, columns: readonly string[]): Promise<number> {
  if (columns.length === 0) return 0
  const reader = await connection.runAndReadAll(`DELETE FROM ${ident(table)} WHERE ${columns.map((c) => `${ident(c)} IS NULL`).join(' AND ')}`)
  return Number(reader.getRowsJS()[0]?.[0] ?? 0)
}
