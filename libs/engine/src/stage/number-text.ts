import { literal } from '../sql/quote.ts'

/** Spaces a value may be padded or grouped with: space, tab, no-break space, narrow no-break space. */
export const SPACE_CLASS = String.raw`[ \t\x{00A0}\x{202F}]`
const GROUP_SPACES = String.raw` \x{00A0}\x{202F}`
// Apostrophes as code points, so patterns never hold a quote of the SQL literal around them.
const APOSTROPHES = String.raw`\x{0027}\x{2019}`
const CODES = ['USD', 'EUR', 'GBP', 'CHF', 'JPY', 'CAD', 'AUD', 'NZD', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'HUF', 'INR', 'CNY', 'HKD', 'SGD', 'ZAR', 'MXN', 'BRL']
// Symbols, or ISO codes from a list: a bare three letters would turn references like INV123 into numbers.
const CURRENCY = `(?:[$£€¥₹]|${CODES.join('|')})`
const WS = `${SPACE_CLASS}*`

/**
 * Any number as exports write it: an optional sign (before, after as `150.00-`, or as `(150.00)`),
 * a currency symbol or ISO code before or after, `CR`/`DR`, and digits grouped by `,` `.` spaces or
 * apostrophes. Which separator is the decimal mark is decided per column (see decideNumberFormat).
 */
export const NUMBER_TEXT = `${WS}[-+]?${WS}\\(?${WS}(?:${CURRENCY}${WS})?[-+]?${WS}[0-9](?:[0-9.,${APOSTROPHES}${GROUP_SPACES}]*[0-9])?${WS}(?:${CURRENCY})?${WS}\\)?${WS}(?:-|(?i:CR|DR))?${WS}`

/** The non-finite words some exporters write for a number. */
export const NON_FINITE_TEXT = `${WS}[-+]?(?i:nan|inf|infinity)${WS}`

/** A decimal mark and the thousands separators of a number column; `thousands` is a regex class body. */
export interface NumberFormat { decimal: '.' | ',', thousands: string, example: string }

/** What one pass over a number-like column found about its separators (see numberEvidenceSql). */
export interface NumberEvidence {
  dot: boolean
  comma: boolean
  spaces: boolean
  apostrophe: boolean
  /** Evidence that the mark is a decimal mark: a value with it once and not followed by exactly 3 digits, after a 4-digit or 0 head, or last after the other mark. */
  dotDecimal: boolean
  commaDecimal: boolean
  /** Evidence that the mark groups thousands: twice in one value, or before the other mark. */
  dotGroups: boolean
  commaGroups: boolean
  leadingZero: boolean
  /** The sign is written consistently: at most one sign, parentheses in pairs, one currency. */
  signsWellFormed: boolean
}

// Per value: the digits-and-marks body, and its separators with the digits removed.
function bodySql (v: string): string {
  return `regexp_extract(${v}, '[0-9](?:[0-9.,${APOSTROPHES}${GROUP_SPACES}]*[0-9])?')`
}

/** SELECT list items (aliased e0..e10) measuring NumberEvidence for column expression `v`. */
export function numberEvidenceSql (v: string): string[] {
  const b = `(${bodySql(v)})`
  const seps = `regexp_replace(${b}, '[0-9]', '', 'g')`
  const count = (ch: string): string => `(length(${seps}) - length(replace(${seps}, '${ch}', '')))`
  const after = (ch: string): string => `(strpos(reverse(${b}), '${ch}') - 1)`
  const head = (ch: string): string => `(strpos(${b}, '${ch}') - 1)`
  const decimalBy = (ch: string, other: string): string =>
    `bool_or(${count(ch)} = 1 AND ((right(${seps}, 1) = '${ch}' AND ${after(ch)} <> 3) OR (left(${seps}, 1) = '${ch}' AND (${head(ch)} > 3 OR prefix(${b}, '0'))) OR (${count(other)} > 0 AND strpos(${b}, '${other}') < strpos(${b}, '${ch}'))))`
  const groupsBy = (ch: string, other: string): string => `bool_or(${count(ch)} > 1 OR (${count(ch)} > 0 AND ${count(other)} > 0 AND strpos(${b}, '${ch}') < strpos(${b}, '${other}')))`
  const signs = `(CASE WHEN regexp_matches(${v}, '^${WS}[-+]') THEN 1 ELSE 0 END + CASE WHEN regexp_matches(${v}, '[A-Z$£€¥₹(]${WS}[-+]') THEN 1 ELSE 0 END + CASE WHEN contains(${v}, '(') THEN 1 ELSE 0 END + CASE WHEN regexp_matches(${v}, '(-|(?i:CR|DR))${WS}$') THEN 1 ELSE 0 END)`
  const currencies = `length(regexp_replace(regexp_replace(${v}, '(?i:CR|DR)${WS}$', ''), '[^A-Z$£€¥₹]+', '', 'g'))`
  return [
    `bool_or(${count('.')} > 0)`,
    `bool_or(${count(',')} > 0)`,
    `bool_or(regexp_matches(${b}, '[${GROUP_SPACES}]'))`,
    `bool_or(regexp_matches(${b}, '[${APOSTROPHES}]'))`,
    decimalBy('.', ','),
    decimalBy(',', '.'),
    groupsBy('.', ','),
    groupsBy(',', '.'),
    `bool_or(regexp_matches(${b}, '^0[0-9]'))`,
    // A column without values (a file with no records) has no badly formed sign: bool_and of nothing is NULL.
    `coalesce(bool_and(${signs} <= 1 AND contains(${v}, '(') = contains(${v}, ')') AND ${currencies} <= 3), true)`
  ]
}

export function readEvidence (row: readonly unknown[]): NumberEvidence {
  const f = (i: number): boolean => row[i] === true
  return { dot: f(0), comma: f(1), spaces: f(2), apostrophe: f(3), dotDecimal: f(4), commaDecimal: f(5), dotGroups: f(6), commaGroups: f(7), leadingZero: f(8), signsWellFormed: f(9) }
}

/** The format a number column is read with, or why it cannot be decided from its values. */
export type FormatDecision = { format: NumberFormat } | { reason: string, ambiguous: boolean }

/**
 * Decides the decimal mark from a column's evidence. `1,234.56` and `1.234,56` settle themselves; so does
 * one mark followed by other than three digits (`12,00`). A column whose every mark is a single `,` (or
 * `.`) followed by exactly three digits (`1,234` alone) could mean 1234 or 1.234: it stays undecided.
 */
export function decideNumberFormat (e: NumberEvidence, decimal?: '.' | ','): FormatDecision {
  if (!e.signsWellFormed) return { reason: 'some values have two signs, an unclosed parenthesis or two currencies', ambiguous: false }
  if (e.spaces && e.apostrophe) return { reason: 'its values group digits both with spaces and with apostrophes', ambiguous: false }
  const mark = decimal ?? decideMark(e)
  if (typeof mark !== 'string') return mark
  return { format: numberFormat(mark, e) }
}

function decideMark (e: NumberEvidence): '.' | ',' | { reason: string, ambiguous: boolean } {
  const dot = e.dotDecimal || e.commaGroups
  const comma = e.commaDecimal || e.dotGroups
  if (dot && comma) return { reason: 'its values use both `.` and `,` as the decimal mark', ambiguous: false }
  if (dot) return '.'
  if (comma) return ','
  if (!e.dot && !e.comma) return '.'
  if (e.spaces || e.apostrophe) return e.dot ? '.' : ','
  const mark = e.dot ? '.' : ','
  return { reason: `every value has one \`${mark}\` followed by exactly three digits, so 1${mark}234 could be 1234 or 1.234`, ambiguous: true }
}

function numberFormat (decimal: '.' | ',', e: NumberEvidence): NumberFormat {
  const other = decimal === '.' ? ',' : '.'
  const thousands = `${other}${GROUP_SPACES}${APOSTROPHES}`
  const group = e.apostrophe ? "'" : e.spaces ? ' ' : (decimal === '.' ? e.comma : e.dot) ? other : ''
  return { decimal, thousands, example: `1${group}234${decimal}56` }
}

/** The format from a column's options: the decimal mark given (or the other of `.`/`,` than the thousands separator). */
export function optionFormat (decimal: '.' | ',' | undefined, thousands: string | undefined): NumberFormat | undefined {
  const mark = decimal ?? (thousands === ',' ? '.' : thousands === '.' ? ',' : undefined)
  if (mark === undefined) return undefined
  const groups = thousands === undefined ? `${mark === '.' ? ',' : '.'}${GROUP_SPACES}${APOSTROPHES}` : thousands === '' ? '' : escapeClass(thousands)
  return { decimal: mark, thousands: groups, example: `1${thousands ?? ''}234${mark}56` }
}

function escapeClass (ch: string): string {
  if (ch === '\u00a0') return String.raw`\x{00A0}`
  if (ch === '\u202f') return String.raw`\x{202F}`
  if (ch === "'") return String.raw`\x{0027}`
  return ch === '.' ? String.raw`\.` : ch
}

/** The whole-value pattern of numbers in `format`: digits grouped in threes, or not grouped at all. */
export function formatPattern (format: NumberFormat): string {
  const d = format.decimal === '.' ? String.raw`\.` : ','
  const grouped = format.thousands === '' ? '' : `[0-9]{1,3}(?:[${format.thousands}][0-9]{3})+(?:${d}[0-9]+)?|`
  const body = `(?:${grouped}[0-9]+(?:${d}[0-9]+)?)`
  return NUMBER_TEXT.replace(String.raw`[0-9](?:[0-9.,${APOSTROPHES}${GROUP_SPACES}]*[0-9])?`, body)
}

/** The number's canonical text (`-1234.56`) from a value of `format`: sign, digits and decimal mark only. */
export function canonicalNumberSql (v: string, format: NumberFormat): string {
  const negative = `(regexp_matches(${v}, '^[^0-9]*[-(]') OR regexp_matches(${v}, '(-|\\)|(?i:DR))${WS}$'))`
  const digits = `replace(regexp_replace(${bodySql(v)}, '[^0-9${format.decimal === '.' ? '.' : ','}]', '', 'g'), ${literal(format.decimal)}, '.')`
  return `(CASE WHEN ${negative} THEN '-' ELSE '' END || ${digits})`
}

/** SELECT items measuring, for values of `format`: the largest scale and the most integer digits. */
export function scaleDigitsSql (canonical: string): string[] {
  const c = `ltrim(${canonical}, '-')`
  return [
    `coalesce(max(CASE WHEN strpos(${c}, '.') > 0 THEN length(${c}) - strpos(${c}, '.') ELSE 0 END), 0)`,
    `coalesce(max(length(split_part(${c}, '.', 1))), 0)`
  ]
}
