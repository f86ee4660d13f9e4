import type { DuckDBConnection } from '@duckdb/node-api'
import { ident, literal } from '../sql/quote.ts'
import type { ColumnProfile, TableProfile } from './profile.ts'

const SHAPE_SHARE = 0.8
// More distinct words than this at one place of the shape (customer names, not document types) become [A-Za-z]+.
const MAX_WORDS = 4

// The distinct values a shape is read from: the first this many in order.
const SHAPE_VALUES = 500

/**
 * The regular expression most of each column's values fit, by column name (undefined where none does), from
 * the first 500 of its distinct values in one query: digit runs generalised, letter runs kept as the words
 * written there, so invoices and credit notes alike are found: SI-004101, CN-004120 -> (CN|SI)-[0-9]+.
 */
export async function valueShapes (connection: DuckDBConnection, profile: TableProfile, columns: readonly ColumnProfile[]): Promise<Map<string, string | undefined>> {
  const shapes = new Map<string, string | undefined>()
  if (columns.length === 0) return shapes
  const reader = await connection.runAndReadAll(`SELECT slot, v FROM ${ident(profile.values)} WHERE slot IN (${columns.map((c) => c.slot ?? -1).join(', ')}) QUALIFY row_number() OVER (PARTITION BY slot ORDER BY v) <= ${SHAPE_VALUES} ORDER BY slot, v`)
  const bySlot = new Map<number, string[]>()
  for (const [slot, v] of reader.getRowsJS()) bySlot.set(Number(slot), [...(bySlot.get(Number(slot)) ?? []), String(v)])
  for (const c of columns) shapes.set(c.name, await valueShape(connection, profile, c, bySlot.get(c.slot ?? -1) ?? []))
  return shapes
}

async function valueShape (connection: DuckDBConnection, profile: TableProfile, column: ColumnProfile, values: readonly string[]): Promise<string | undefined> {
  const shapeOf = (v: string): string => v.replace(/[0-9]+/g, '0').replace(/[A-Za-z]+/g, 'A')
  const shapes = new Map<string, string[]>()
  for (const v of values) shapes.set(shapeOf(v), [...(shapes.get(shapeOf(v)) ?? []), v])
  const [shape, members] = [...shapes.entries()].sort((a, b) => b[1].length - a[1].length)[0] ?? ['', []]
  if (members.length < SHAPE_SHARE * values.length) return prefixedShape(values)
  if (shape === '0') return await digitShape(connection, profile, column, members)
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
async function digitShape (connection: DuckDBConnection, profile: TableProfile, column: ColumnProfile, members: readonly string[]): Promise<string | undefined> {
  const length = members[0]?.length ?? 0
  if (length < MIN_DIGITS) return undefined
  const lead = /^0*[1-9]?/.exec(members[0]!)?.[0] ?? ''
  const reader = await connection.runAndReadAll(`SELECT count(*) FILTER (WHERE length(v) <> ${length} OR NOT regexp_full_match(v, '[0-9]+')), count(*) FILTER (WHERE NOT starts_with(v, ${literal(lead)})) FROM ${ident(profile.values)} WHERE slot = ${column.slot ?? -1}`)
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
