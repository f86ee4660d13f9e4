import type { DuckDBConnection } from '@duckdb/node-api'
import type { ColumnOptions } from '@kalla/proto'
import { EngineError } from '../errors.ts'
import { ident, literal } from '../sql/quote.ts'
import { anyNotMatching, hasValues, type RowLabel } from './column-measure.ts'
import { DATE_TEXT } from './date-text.ts'
import { mustMatch, readDates, readNumbers, readPlainNumbers, SCIENTIFIC, type Typed } from './typed-readers.ts'
import { NON_FINITE_TEXT, NUMBER_TEXT } from './number-text.ts'

export type { Typed } from './typed-readers.ts'

/** How a text column of a staged table came to have its type, for the run summary. */
export interface ColumnTyping {
  name: string
  type: string
  /** 'detected' from every value, 'option' from the recipe, 'source' when the source declares it. */
  how: 'detected' | 'option' | 'source'
  /** How its values were written, e.g. `1.234,56` or `%d/%m/%Y`. */
  format?: string
  /** Why a column that looks typed stays text, and how to set it. */
  note?: string
}

/** The source a table was staged from, for messages. */
export interface TypingTarget { table: string, alias: string, name: string, label: RowLabel }

const BOOLEAN_TEXT = `${String.raw`[ \t]*`}(?i:true|false)${String.raw`[ \t]*`}`
// The patterns detect tries, in its order; a value fitting none of them is text.
const FIRST_VALUE_PATTERNS = [`(?:${NUMBER_TEXT})|(?:${NON_FINITE_TEXT})`, SCIENTIFIC, DATE_TEXT, BOOLEAN_TEXT]

/**
 * Types the text columns of a staged table (whose blank text is already NULL) from their values, in place: numbers in any common national
 * style as exact DECIMAL (or BIGINT), dates and timestamps, booleans. Every value of a column is looked
 * at (a reference column that is digits for 10,000 rows and then `INV-10001` stays text); a column whose
 * format is ambiguous stays text with a note. `options` (by column name, any case) override detection.
 * `hints` are the types a sample suggested; they only choose which check runs first.
 */
export async function typeTextColumns (connection: DuckDBConnection, target: TypingTarget, columns: readonly string[], options: Readonly<Record<string, ColumnOptions>> = {}, hints: ReadonlyMap<string, string> = new Map()): Promise<ColumnTyping[]> {
  checkOptionColumns(target, columns, options)
  const detected = columns.filter((c) => optionFor(options, c) === undefined)
  const plain = await readPlainNumbers(connection, target.table, detected.filter((c) => NUMBER_HINT.test(hints.get(c) ?? '')))
  const text = await textByFirstValue(connection, target.table, detected.filter((c) => !plain.has(c) && !DATE_HINT.test(hints.get(c) ?? '')))
  const typings: ColumnTyping[] = []
  for (const name of columns) {
    const option = optionFor(options, name)
    const typed = option !== undefined
      ? await forced(connection, target, name, option)
      : text.has(name) ? { type: 'VARCHAR' } : await detect(connection, target, name, hints.get(name), plain)
    const done = await retype(connection, target.table, name, typed)
    typings.push({ name, type: done.type, how: option === undefined ? 'detected' : 'option', ...(done.format === undefined ? {} : { format: done.format }), ...(done.note === undefined ? {} : { note: done.note }) })
  }
  return typings
}

const NUMBER_HINT = /^(BIGINT|INTEGER|SMALLINT|TINYINT|HUGEINT|DOUBLE|FLOAT|DECIMAL)/
const DATE_HINT = /^(DATE|TIMESTAMP)/

// Every check detect makes of a column asks whether some value does not fit a pattern (number, scientific,
// date, boolean). When the first value fits none of them, every check would say so and the column stays
// text: the first values of all the columns are looked at in one statement, each probe stopping at its
// first value. Returns the columns settled as text that way (those without any value too).
async function textByFirstValue (connection: DuckDBConnection, table: string, columns: readonly string[]): Promise<Set<string>> {
  if (columns.length === 0) return new Set()
  // One row per column, so each pattern is compiled once for all of them (the number pattern is costly to compile).
  const first = columns.map((c, i) => `SELECT ${i} AS i, (SELECT ${ident(c)} FROM ${ident(table)} WHERE ${ident(c)} IS NOT NULL LIMIT 1) AS v`)
  const fits = `v IS NULL OR NOT (${FIRST_VALUE_PATTERNS.map((p) => `regexp_full_match(v, ${literal(p)})`).join(' OR ')})`
  const rows = (await connection.runAndReadAll(`SELECT i, ${fits} FROM (${first.join(' UNION ALL ')})`)).getRowsJS()
  const text = new Set(rows.filter((r) => r[1] === true).map((r) => Number(r[0])))
  return new Set(columns.filter((_, i) => text.has(i)))
}

// Only the typed column is rewritten (ALTER ... USING), not a copy of the table.
async function retype (connection: DuckDBConnection, table: string, name: string, typed: Typed): Promise<Typed> {
  if (typed.type === 'VARCHAR' || typed.sql === undefined) return typed
  try {
    await connection.run(`ALTER TABLE ${ident(table)} ALTER COLUMN ${ident(name)} SET DATA TYPE ${typed.type} USING ${typed.sql(ident(name))}`)
    return typed
  } catch (error) {
    if (typed.recover === undefined || !/Conversion Error|Invalid Input Error|Could not (parse|convert)/i.test(String((error as Error).message))) throw error
    return await typed.recover()
  }
}

function optionFor (options: Readonly<Record<string, ColumnOptions>>, name: string): ColumnOptions | undefined {
  const key = Object.keys(options).find((k) => k.toLowerCase() === name.toLowerCase())
  return key === undefined ? undefined : options[key]
}

function checkOptionColumns (target: TypingTarget, columns: readonly string[], options: Readonly<Record<string, ColumnOptions>>): void {
  const unknown = Object.keys(options).filter((k) => !columns.some((c) => c.toLowerCase() === k.toLowerCase()))
  if (unknown.length === 0) return
  throw new EngineError('ENGINE_MISSING_COLUMNS', `${target.alias}: the recipe sets options for the column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}, which ${target.name} does not have as text. Its text columns are: ${columns.join(', ')}.`, { stage: 'staging' })
}

// `plain`: the columns a sample suggests are numbers, already measured as plain decimals (or not).
async function detect (connection: DuckDBConnection, target: TypingTarget, name: string, hint: string | undefined, plain: ReadonlyMap<string, Typed | undefined>): Promise<Typed> {
  const measured = plain.get(name)
  if (measured !== undefined) return measured
  if (hint !== undefined && DATE_HINT.test(hint)) {
    const date = await readDates(connection, target, name)
    if (date.type !== 'VARCHAR' || date.note !== undefined) return date
  }
  if (!await hasValues(connection, target.table, name)) return { type: 'VARCHAR' }
  let number: Typed | undefined
  if (!await anyNotMatching(connection, target.table, name, `(?:${NUMBER_TEXT})|(?:${NON_FINITE_TEXT})`)) {
    number = await readNumbers(connection, target, name)
    if (number.type !== 'VARCHAR') return number
  } else if (!await anyNotMatching(connection, target.table, name, SCIENTIFIC)) {
    return { type: 'DOUBLE', sql: (v) => `CAST(${v} AS DOUBLE)`, format: '1.5e3' }
  }
  // 31.01.2026 looks like a grouped number too; when it is not one, it may be a date.
  if (!await anyNotMatching(connection, target.table, name, DATE_TEXT)) return await readDates(connection, target, name)
  if (number !== undefined) return number
  if (!await anyNotMatching(connection, target.table, name, BOOLEAN_TEXT)) return { type: 'BOOLEAN', sql: (v) => `CAST(${v} AS BOOLEAN)` }
  return { type: 'VARCHAR' }
}

async function forced (connection: DuckDBConnection, target: TypingTarget, name: string, option: ColumnOptions): Promise<Typed> {
  const type = option.type ?? (option.date_format !== undefined ? 'date' : option.decimal_separator !== undefined || option.thousands_separator !== undefined ? 'decimal' : 'text')
  switch (type) {
    case 'text': return { type: 'VARCHAR' }
    case 'integer':
    case 'decimal': return await readNumbers(connection, target, name, { integer: type === 'integer', ...(option.decimal_separator === undefined ? {} : { decimal: option.decimal_separator }), ...(option.thousands_separator === undefined ? {} : { thousands: option.thousands_separator }) })
    case 'date':
    case 'timestamp': return await readDates(connection, target, name, { type, ...(option.date_format === undefined ? {} : { format: option.date_format }) })
    case 'boolean': return await readBooleans(connection, target, name)
  }
}

async function readBooleans (connection: DuckDBConnection, target: TypingTarget, name: string): Promise<Typed> {
  const words = '(?i:true|false|yes|no|y|n|t|f|1|0)'
  const sql = (v: string): string => `CASE WHEN lower(${v}) IN ('true', 'yes', 'y', 't', '1') THEN true ELSE false END`
  await mustMatch(connection, target, name, `${String.raw`[ \t]*`}${words}${String.raw`[ \t]*`}`, ['true or false (or yes/no, 1/0)', 'true or false (or yes/no, 1/0)'])
  return { type: 'BOOLEAN', sql }
}
