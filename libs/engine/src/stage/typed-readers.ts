import type { DuckDBConnection } from '@duckdb/node-api'
import { EngineError } from '../errors.ts'
import { ident, literal } from '../sql/quote.ts'
import { aggregate, anyNotMatching, anyNotSatisfying, describeOffenders, offenders, type Kind, type Offenders } from './column-measure.ts'
import type { TypingTarget } from './column-typing.ts'
import { DATE_FAMILIES, DATE_PATTERNS, DATE_TEXT, decideDateReading, detailSql, familySql, formatReading, needsDetail, readDateEvidence, type DateEvidence, type DateFamily, type DateReading } from './date-text.ts'
import { canonicalNumberSql, decideNumberFormat, formatPattern, NON_FINITE_TEXT, NUMBER_TEXT, numberEvidenceSql, optionFormat, readEvidence, scaleDigitsSql, SPACE_CLASS, type NumberFormat } from './number-text.ts'
import { chooseType } from './typing.ts'

/**
 * A column's type and the SQL that reads its text (`v`, never NULL or blank) into that type. With
 * `recover`, the values were not all checked first: when the conversion fails, `recover` finds the values
 * that do not fit and says what to do (text with a note, or an error for a type the recipe set).
 */
export interface Typed { type: string, sql?: (v: string) => string, format?: string, note?: string, recover?: () => Promise<Typed> }

const WS = `${SPACE_CLASS}*`
/** Plain decimals and scientific notation (1.5e3), which only a double holds. */
export const SCIENTIFIC = `${WS}[-+]?[0-9]+(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?${WS}`
const PLAIN = String.raw`[-+]?(0|[1-9][0-9]*)(\.[0-9]+)?`

/**
 * The fast path for columns a sample suggests are numbers: when every value is a plain decimal (`-12.50`),
 * one pass of a regular expression and string positions settles the type. Undefined when some value is not.
 */
export async function readPlainNumbers (connection: DuckDBConnection, target: TypingTarget, name: string): Promise<Typed | undefined> {
  return plainNumbers(await aggregate(connection, target.table, name, plainNumberSql(name)))
}

/** The aggregates readPlainNumbers measures (NULLs are ignored, so they may share a pass over the table). */
export function plainNumberSql (name: string): string[] {
  const v = ident(name)
  const d = `strpos(${v}, '.')`
  const sign = `CASE WHEN prefix(${v}, '-') OR prefix(${v}, '+') THEN 1 ELSE 0 END`
  return [
    `coalesce(bool_and(regexp_full_match(${v}, '${PLAIN}')), true)`,
    `coalesce(max(CASE WHEN ${d} > 0 THEN length(${v}) - ${d} ELSE 0 END), 0)`,
    `coalesce(max(CASE WHEN ${d} > 0 THEN ${d} - 1 ELSE length(${v}) END - ${sign}), 0)`,
    `coalesce(bool_or(${d} > 0), false)`,
    `coalesce(bool_or(${d} > 0 AND (length(${v}) - ${d} <> 3 OR ${d} - 1 - ${sign} > 3 OR regexp_matches(${v}, '^[-+]?0'))), false)`
  ]
}

/** The type from plainNumberSql's values, or undefined when some value is not a plain decimal. */
export function plainNumbers (row: readonly unknown[]): Typed | undefined {
  if (row[0] !== true) return undefined
  if (row[3] === true && row[4] !== true) return { type: 'VARCHAR', note: ambiguousNumbers('.') }
  const type = chooseType({ plain: true, nonNumeric: false, leadingZero: false, exponent: false, scale: Number(row[1]), digits: Number(row[2]) })
  return { type, sql: (x) => `CAST(${x} AS ${type})`, format: '1234.56' }
}

/** What a recipe's options say about a number column. */
export interface NumberOptions { integer: boolean, decimal?: '.' | ',', thousands?: string }

/**
 * Reads a column of formatted numbers (`$1,234.56`, `1.234,56 €`, `(150.00)`, `150.00-`, `12.00 DR`) into an
 * exact DECIMAL: the format comes from every value, the value from its text (never through a double).
 * Infinity and NaN are refused. With `forced` (the recipe's options) a value that does not fit is an error.
 */
export async function readNumbers (connection: DuckDBConnection, target: TypingTarget, name: string, forced?: NumberOptions): Promise<Typed> {
  const v = ident(name)
  await refuseNonFinite(connection, target, name)
  const evidence = readEvidence(await aggregate(connection, target.table, name, numberEvidenceSql(v), forced === undefined ? undefined : NUMBER_TEXT))
  if (forced === undefined && evidence.leadingZero) return { type: 'VARCHAR' }
  const given = forced === undefined ? undefined : optionFormat(forced.decimal, forced.thousands)
  const decision = given === undefined ? decideNumberFormat(evidence) : { format: given }
  if (!('format' in decision)) {
    if (forced !== undefined) throw columnError(target, name, decision.ambiguous ? 'ENGINE_COLUMN_FORMAT_AMBIGUOUS' : 'ENGINE_COLUMN_VALUES_INVALID', `cannot be read as numbers: ${decision.reason}. Set its decimal_separator (and thousands_separator) in the recipe's source options.`)
    return { type: 'VARCHAR', note: decision.ambiguous ? ambiguousNumbers(decision.reason) : `stays text: ${decision.reason}.` }
  }
  const format = decision.format
  const bad = await offenders(connection, target.table, name, `NOT regexp_full_match(${v}, ${literal(formatPattern(format))})`, target.label)
  if (bad.count > 0) return notOfType(target, name, bad, ['a number', 'numbers'], forced !== undefined, ` written like ${format.example}`)
  const [scale, digits] = (await aggregate(connection, target.table, name, scaleDigitsSql(canonicalNumberSql(v, format)))).map(Number) as [number, number]
  if (forced?.integer === true && scale > 0) {
    const fractions = await offenders(connection, target.table, name, `contains(${canonicalNumberSql(v, format)}, '.')`, target.label)
    return notOfType(target, name, fractions, ['a whole number', 'whole numbers'], true)
  }
  const type = chooseType({ plain: false, nonNumeric: false, leadingZero: false, exponent: false, scale, digits })
  if (type === 'DOUBLE') return notOfType(target, name, { count: 0 }, ['exact with 38 digits', 'exact with 38 digits'], forced !== undefined)
  return { type, sql: (x) => `CAST(${canonicalNumberSql(x, format)} AS ${type})`, format: format.example }
}

/** What a recipe's options say about a date column. */
export interface DateOptions { type: 'date' | 'timestamp', format?: string }

/**
 * Reads a column of dates or timestamps; the order of day and month comes from every value (see
 * decideDateReading), a column that leaves it open stays text with a note asking for date_format.
 */
export async function readDates (connection: DuckDBConnection, target: TypingTarget, name: string, forced?: DateOptions): Promise<Typed> {
  let reading: DateReading
  if (forced?.format !== undefined) {
    reading = formatReading(forced.format)
  } else {
    const decision = decideDateReading(await dateEvidence(connection, target, name, forced !== undefined))
    if (decision === undefined || !('reading' in decision)) {
      const reason = decision?.reason ?? 'its values are not dates written one way'
      const advice = 'Set its date_format in the recipe\'s source options (a strptime format such as %d/%m/%Y or %m/%d/%Y).'
      if (forced !== undefined) throw columnError(target, name, decision?.ambiguous === true ? 'ENGINE_COLUMN_FORMAT_AMBIGUOUS' : 'ENGINE_COLUMN_VALUES_INVALID', `cannot be read as dates: ${reason}. ${advice}`)
      return { type: 'VARCHAR', ...(decision === undefined ? {} : { note: `stays text: ${reason}. ${advice}` }) }
    }
    reading = decision.reading
  }
  const type = forced === undefined ? reading.type : forced.type === 'date' ? 'DATE' : reading.type === 'DATE' ? 'TIMESTAMP' : reading.type
  // The conversion checks every value itself; only when it fails are the offending values looked for.
  const recover = async (): Promise<Typed> => {
    const bad = await offenders(connection, target.table, name, `TRY(${reading.sql(ident(name))}) IS NULL`, target.label)
    return notOfType(target, name, bad, ['a date', 'dates'], forced !== undefined, ` written like ${reading.example}`)
  }
  return { type, sql: (x) => type === reading.type ? reading.sql(x) : `CAST(${reading.sql(x)} AS ${type})`, format: reading.example, recover }
}

// Which way of writing dates every value follows is found by looking for a value that does not follow
// it, one way after the other: a way that does not fit fails at its first value, so only the way that
// fits reads the whole column. A type set by the recipe measures the values that are dates at all.
async function dateEvidence (connection: DuckDBConnection, target: TypingTarget, name: string, forced: boolean): Promise<DateEvidence> {
  const v = ident(name)
  const all = Object.fromEntries(DATE_FAMILIES.map((f) => [f, false])) as Record<DateFamily, boolean>
  if (forced) {
    const row = await aggregate(connection, target.table, name, familySql(v), DATE_TEXT)
    for (const [i, f] of DATE_FAMILIES.entries()) all[f] = row[i] === true
  } else {
    const fits = await firstFitting(connection, target, name)
    if (fits !== undefined) all[fits] = true
  }
  const detail = forced || needsDetail(all) ? await aggregate(connection, target.table, name, detailSql(v), forced ? DATE_TEXT : undefined) : []
  return readDateEvidence(all, detail)
}

async function firstFitting (connection: DuckDBConnection, target: TypingTarget, name: string): Promise<DateFamily | undefined> {
  for (const family of DATE_FAMILIES) {
    // ISO dates by their shape alone (the conversion checks the digits): cheaper than a regular expression.
    const fits = family === 'isoDate'
      ? !await anyNotSatisfying(connection, target.table, name, (v) => `length(${v}) = 10 AND substr(${v}, 5, 1) = '-' AND substr(${v}, 8, 1) = '-'`)
      : !await anyNotMatching(connection, target.table, name, DATE_PATTERNS[family])
    if (fits) return family
  }
  return undefined
}

/** Throws ENGINE_COLUMN_VALUES_INVALID when some value does not match `pattern`. */
export async function mustMatch (connection: DuckDBConnection, target: TypingTarget, name: string, pattern: string, kind: Kind): Promise<void> {
  const bad = await offenders(connection, target.table, name, `NOT regexp_full_match(${ident(name)}, ${literal(pattern)})`, target.label)
  if (bad.count > 0) notOfType(target, name, bad, kind, true)
}

async function refuseNonFinite (connection: DuckDBConnection, target: TypingTarget, name: string): Promise<void> {
  const found = await offenders(connection, target.table, name, `regexp_full_match(${ident(name)}, ${literal(NON_FINITE_TEXT)})`, target.label)
  if (found.count === 0) return
  throw columnError(target, name, 'ENGINE_NON_FINITE_NUMBER', `${describeOffenders(found, ['a finite number', 'finite numbers'], target.label, ' (Infinity or NaN)')}. Amounts must be finite: fix those rows in the source, or set the column's type to text in the recipe.`)
}

function notOfType (target: TypingTarget, name: string, bad: Offenders, kind: Kind, forced: boolean, suffix = ''): Typed {
  const found = bad.count === 0 ? `its values are not ${kind[1]}${suffix}` : describeOffenders(bad, kind, target.label, suffix)
  if (forced) throw columnError(target, name, 'ENGINE_COLUMN_VALUES_INVALID', `${found}. Fix them in the file, or change the column's type in the recipe's source options.`)
  return { type: 'VARCHAR', note: `stays text: ${found}.` }
}

function ambiguousNumbers (mark: string): string {
  const reason = mark.length === 1 ? `every value has one \`${mark}\` followed by exactly three digits, so 1${mark}234 could be 1234 or 1.234` : mark
  return `stays text: ${reason}. Set its decimal_separator and thousands_separator (or type) in the recipe's source options.`
}

/** An error about one column of one source, worded for the person who owns the file. */
export function columnError (target: TypingTarget, name: string, code: 'ENGINE_COLUMN_VALUES_INVALID' | 'ENGINE_COLUMN_FORMAT_AMBIGUOUS' | 'ENGINE_NON_FINITE_NUMBER', text: string): EngineError {
  return new EngineError(code, `${target.alias}: ${target.name}, column ${name}: ${text}`, { stage: 'staging' })
}

export type { NumberFormat }
