import { literal } from '../sql/quote.ts'
import { SPACE_CLASS } from './number-text.ts'

const WS = `${SPACE_CLASS}*`
const MONTHS = '(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-zA-Z]*\\.?'
const CLOCK = '[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\\.[0-9]{1,9})?)?'
const ZONE = '(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)'
const ISO_PARTS = `${WS}([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[T ]([0-9]{2}:[0-9]{2})(:[0-9]{2}(?:\\.[0-9]{1,9})?)?)?${WS}(${ZONE})?${WS}`

/** The ways dates are written that Kalla recognises, as whole-value patterns. */
export const DATE_PATTERNS = {
  isoDate: `${WS}[0-9]{4}-[0-9]{2}-[0-9]{2}${WS}`,
  iso: ISO_PARTS,
  slash: `${WS}[0-9]{1,2}/[0-9]{1,2}/(?:[0-9]{4}|[0-9]{2})(?:[ T]${CLOCK})?${WS}`,
  dot: `${WS}[0-9]{1,2}\\.[0-9]{1,2}\\.(?:[0-9]{4}|[0-9]{2})(?:[ T]${CLOCK})?${WS}`,
  dash: `${WS}[0-9]{1,2}-[0-9]{1,2}-(?:[0-9]{4}|[0-9]{2})(?:[ T]${CLOCK})?${WS}`,
  yearFirst: `${WS}[0-9]{4}[/.][0-9]{1,2}[/.][0-9]{1,2}(?: ${CLOCK})?${WS}`,
  dayMonthName: `${WS}[0-9]{1,2}[- ]?${MONTHS}[- ,]*[0-9]{4}${WS}`,
  monthNameDay: `${WS}${MONTHS}[ -][0-9]{1,2},?[ -][0-9]{4}${WS}`
} as const
export type DateFamily = keyof typeof DATE_PATTERNS

/** Any date or timestamp Kalla recognises. */
export const DATE_TEXT = Object.values(DATE_PATTERNS).map((p) => `(?:${p})`).join('|')

/** What the values of a date-like column look like, over every value. */
export interface DateEvidence {
  /** The way of writing every value follows (the first that fits, in DATE_PATTERNS order), if any. */
  all: Record<DateFamily, boolean>
  /** Values with a UTC offset or Z, and non-blank values. */
  zoned: number
  values: number
  /** The largest first and second parts of `a/b/yyyy` values: above 12 only a day can be. */
  maxFirst: number
  maxSecond: number
  shortYear: boolean
  longYear: boolean
  clock: boolean
}

export const DATE_FAMILIES = Object.keys(DATE_PATTERNS) as DateFamily[]

/** SELECT items: for each way of writing dates, whether every value follows it. */
export function familySql (v: string): string[] {
  return DATE_FAMILIES.map((f) => `bool_and(regexp_full_match(${v}, ${literal(DATE_PATTERNS[f])}))`)
}

/** SELECT items measuring the rest of DateEvidence: offsets, the largest parts, years and clocks. */
export function detailSql (v: string): string[] {
  const part = (n: number): string => `TRY_CAST(regexp_extract(${v}, ${literal(`^${WS}([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]`)}, ${n}) AS INTEGER)`
  const year = `length(regexp_extract(${v}, ${literal(`^${WS}[0-9]{1,2}[/.-][0-9]{1,2}[/.-]([0-9]{2,4})`)}, 1))`
  return [
    `count_if(regexp_matches(${v}, ${literal(`[0-9]${WS}${ZONE}${WS}$`)}))`,
    'count(*)',
    `coalesce(max(${part(1)}), 0)`,
    `coalesce(max(${part(2)}), 0)`,
    `coalesce(bool_or(${year} = 2), false)`,
    `coalesce(bool_or(${year} = 4), false)`,
    `coalesce(bool_or(contains(${v}, ':')), false)`
  ]
}

export function readDateEvidence (all: Record<DateFamily, boolean>, row: readonly unknown[]): DateEvidence {
  return { all, zoned: Number(row[0] ?? 0), values: Number(row[1] ?? 0), maxFirst: Number(row[2] ?? 0), maxSecond: Number(row[3] ?? 0), shortYear: row[4] === true, longYear: row[5] === true, clock: row[6] === true }
}

/** Whether the detail measures matter for a column of this way of writing (ISO dates need none). */
export function needsDetail (all: Record<DateFamily, boolean>): boolean {
  return all.iso || all.slash || all.dot || all.dash || all.yearFirst
}

/** How a date column is read: its DuckDB type and the SQL turning a trimmed value into it. */
export interface DateReading { type: 'DATE' | 'TIMESTAMP' | 'TIMESTAMPTZ', sql: (v: string) => string, example: string }

export type DateDecision = { reading: DateReading } | { reason: string, ambiguous: boolean } | undefined

/**
 * Decides how a column of dates is read, from every value. ISO needs no decision. For `a/b/yyyy` (with
 * `/`, `.` or `-`): a first part above 12 proves day-first, a second part above 12 month-first; when
 * every value has both parts at most 12 the column is ambiguous and stays text until date_format is set.
 * Undefined when the values are not all dates of one way of writing.
 */
export function decideDateReading (e: DateEvidence): DateDecision {
  if (e.all.isoDate) return { reading: { type: 'DATE', sql: (v) => `CAST(${v} AS DATE)`, example: '2026-01-31' } }
  if (e.all.iso) {
    if (e.zoned > 0 && e.zoned < e.values) return { reason: 'some of its timestamps have a UTC offset and some do not', ambiguous: true }
    return { reading: isoTimestamp(e.zoned > 0) }
  }
  if (e.all.yearFirst) return { reading: strptimeReading(['%Y/%m/%d', '%Y.%m.%d'], e.clock, '2026/01/31') }
  if (e.all.dayMonthName) return { reading: monthNameReading('day') }
  if (e.all.monthNameDay) return { reading: monthNameReading('month') }
  const sep = e.all.slash ? '/' : e.all.dot ? '.' : e.all.dash ? '-' : undefined
  if (sep === undefined) return undefined
  if (e.shortYear && e.longYear) return { reason: 'its years are written with two digits in some values and four in others', ambiguous: false }
  const y = e.shortYear ? '%y' : '%Y'
  if (e.maxFirst > 12 && e.maxSecond > 12) return undefined
  if (e.maxFirst > 12) return { reading: strptimeReading([`%d${sep}%m${sep}${y}`], e.clock, `31${sep}01${sep}2026`) }
  if (e.maxSecond > 12) return { reading: strptimeReading([`%m${sep}%d${sep}${y}`], e.clock, `01${sep}31${sep}2026`) }
  return { reason: `no value has a day above 12, so 01${sep}02${sep}2026 could be 1 February or January 2`, ambiguous: true }
}

const TRIM = literal(' \t\u00a0\u202f')
function trim (v: string): string {
  return `trim(${v}, ${TRIM})`
}

/** A reading from a strptime format given in the options; the type follows from the fields it has. */
export function formatReading (format: string): DateReading {
  const zoned = format.includes('%z') || format.includes('%Z')
  const clock = /%[HIMSfpXTcR]/.test(format)
  const type = zoned ? 'TIMESTAMPTZ' : clock ? 'TIMESTAMP' : 'DATE'
  return { type, sql: (v) => `CAST(strptime(${trim(v)}, ${literal(format)}) AS ${type})`, example: format }
}

function isoTimestamp (zoned: boolean): DateReading {
  const p = literal(`^${ISO_PARTS}$`)
  return {
    type: zoned ? 'TIMESTAMPTZ' : 'TIMESTAMP',
    example: zoned ? '2026-01-31T14:05:00+01:00' : '2026-01-31 14:05',
    sql: (v) => {
      const g = (n: number): string => `regexp_extract(${trim(v)}, ${p}, ${n})`
      const zone = `regexp_replace(replace(${g(4)}, 'Z', '+00:00'), '^([+-][0-9]{2})([0-9]{2})$', '\\1:\\2')`
      const text = `${g(1)} || ' ' || coalesce(nullif(${g(2)}, ''), '00:00') || coalesce(nullif(${g(3)}, ''), ':00')${zoned ? ` || ${zone}` : ''}`
      return `CAST(${text} AS ${zoned ? 'TIMESTAMPTZ' : 'TIMESTAMP'})`
    }
  }
}

function strptimeReading (dates: string[], clock: boolean, example: string): DateReading {
  const formats = clock ? dates.flatMap((d) => [`${d} %H:%M:%S`, `${d} %H:%M`, `${d}T%H:%M:%S`, `${d}T%H:%M`, d]) : dates
  const type = clock ? 'TIMESTAMP' : 'DATE'
  return { type, example, sql: (v) => `CAST(strptime(${trim(v)}, [${formats.map(literal).join(', ')}]) AS ${type})` }
}

function monthNameReading (first: 'day' | 'month'): DateReading {
  const pattern = first === 'day'
    ? `^${WS}([0-9]{1,2})[- ]?([a-zA-Z]{3})[a-zA-Z]*\\.?[- ,]*([0-9]{4})${WS}$`
    : `^${WS}([a-zA-Z]{3})[a-zA-Z]*\\.?[ -]([0-9]{1,2}),?[ -]([0-9]{4})${WS}$`
  const format = first === 'day' ? '%d-%b-%Y' : '%b-%d-%Y'
  return { type: 'DATE', example: first === 'day' ? '31-Jan-2026' : 'Jan 31, 2026', sql: (v) => `CAST(strptime(regexp_replace(${trim(v)}, ${literal(pattern)}, '\\1-\\2-\\3'), ${literal(format)}) AS DATE)` }
}
