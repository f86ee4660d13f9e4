import type { DuckDBConnection } from '@duckdb/node-api'
import { ident, literal } from '../sql/quote.ts'

const SHAPE_SHARE = 0.8
// More distinct words than this at one place of the shape (customer names, not document types) become [A-Za-z]+.
const MAX_WORDS = 4

/**
 * The regular expression most of a column's values fit: digit runs generalised, letter runs kept as the
 * words written there, so invoices and credit notes alike are found: SI-004101, CN-004120 -> (CN|SI)-[0-9]+.
 */
export async function valueShape (connection: DuckDBConnection, alias: string, column: string): Promise<string | undefined> {
  const reader = await connection.runAndReadAll(`SELECT DISTINCT CAST(${ident(column)} AS VARCHAR) FROM ${ident(alias)} WHERE ${ident(column)} IS NOT NULL ORDER BY 1 LIMIT 500`)
  const values = reader.getRowsJS().map((r) => String(r[0]))
  const shapeOf = (v: string): string => v.replace(/[0-9]+/g, '0').replace(/[A-Za-z]+/g, 'A')
  const shapes = new Map<string, string[]>()
  for (const v of values) shapes.set(shapeOf(v), [...(shapes.get(shapeOf(v)) ?? []), v])
  const [shape, members] = [...shapes.entries()].sort((a, b) => b[1].length - a[1].length)[0] ?? ['', []]
  if (members.length < SHAPE_SHARE * values.length) return prefixedShape(values)
  if (shape === '0') return await digitShape(connection, alias, column, members)
  if (!shape.includes('0') || !shape.includes('A')) return undefined
  const tokens = (v: string): string[] => v.match(/[0-9]+|[A-Za-z]+|[^0-9A-Za-z]+/g) ?? []
  return tokens(shape).map((token, i) => {
    if (token === '0') return '[0-9]+'
    if (token !== 'A') return escapeRegex(token)
    const words = [...new Set(members.map((m) => tokens(m)[i] ?? ''))].sort()
    return words.length > MAX_WORDS ? '[A-Za-z]+' : words.length === 1 ? escapeRegex(words[0]!) : `(${words.map(escapeRegex).join('|')})`
  }).join('')
}

// Fewer digits than this written alone in text are too easily another number (a customer, a day, an amount).
const MIN_DIGITS = 6

/**
 * Document numbers of digits alone (SAP's 0090000123): one length, and the leading zeros and first digit
 * they share, so a purpose line's 10-digit number is found and its customer number or amount is not.
 * The values read are the first 500 in order: the length and prefix are checked on the whole column.
 */
async function digitShape (connection: DuckDBConnection, alias: string, column: string, members: readonly string[]): Promise<string | undefined> {
  const length = members[0]?.length ?? 0
  if (length < MIN_DIGITS) return undefined
  const lead = /^0*[1-9]?/.exec(members[0]!)?.[0] ?? ''
  const value = `CAST(${ident(column)} AS VARCHAR)`
  const reader = await connection.runAndReadAll(`SELECT count(*) FILTER (WHERE length(${value}) <> ${length} OR NOT regexp_full_match(${value}, '[0-9]+')), count(*) FILTER (WHERE NOT starts_with(${value}, ${literal(lead)})) FROM ${ident(alias)} WHERE ${ident(column)} IS NOT NULL`)
  const [otherShape, otherPrefix] = (reader.getRowsJS()[0] ?? [1, 1]).map(Number)
  if (otherShape !== 0) return undefined
  const prefix = otherPrefix === 0 ? lead : ''
  return `${prefix}[0-9]{${length - prefix.length}}`
}

/**
 * Ids of a letter prefix and a separator before letters and digits in no fixed order (a payout's
 * po_1SMovZR1ZZdTzWCS): the prefix kept, the rest generalised.
 */
function prefixedShape (values: readonly string[]): string | undefined {
  const prefix = /^[A-Za-z]+[_-]/.exec(values[0] ?? '')?.[0]
  if (prefix === undefined || values.some((v) => !v.startsWith(prefix) || !/^[A-Za-z0-9]{8,}$/.test(v.slice(prefix.length)))) return undefined
  return `${escapeRegex(prefix)}[A-Za-z0-9]+`
}

function escapeRegex (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
}
