import { literal } from '../../sql/quote.ts'

/** How a date field's text becomes a DuckDB value: the type, and an SQL expression over `v` (NULL when it fits no format). */
export interface DatePlan { type: 'DATE' | 'TIMESTAMP WITH TIME ZONE', expression: (v: string) => string, formats: string }

type Reader = { dateOnly: boolean, read: (v: string) => string }

const ISO_DATE = String.raw`[0-9]{4}-[0-9]{2}-[0-9]{2}`
const ISO = (v: string): string => `CASE WHEN regexp_matches(${v}, '^${ISO_DATE}') THEN TRY_CAST(${v} AS TIMESTAMPTZ) END`
const DAY = (v: string): string => `CASE WHEN regexp_full_match(${v}, '${ISO_DATE}') THEN TRY_CAST(${v} AS DATE) END`
const epoch = (micros: number) => (v: string): string => `CASE WHEN regexp_full_match(${v}, '-?[0-9]{1,15}') THEN make_timestamp(CAST(${v} AS BIGINT) * ${micros})::TIMESTAMPTZ END`

// Elasticsearch's built-in formats that Kalla reads (https://www.elastic.co/docs/reference/elasticsearch/mapping-reference/mapping-date-format).
const NAMED: Record<string, Reader> = {
  epoch_millis: { dateOnly: false, read: epoch(1000) },
  epoch_second: { dateOnly: false, read: epoch(1_000_000) },
  strict_date: { dateOnly: true, read: DAY },
  date: { dateOnly: true, read: DAY },
  strict_year_month_day: { dateOnly: true, read: DAY },
  year_month_day: { dateOnly: true, read: DAY },
  basic_date: { dateOnly: true, read: (v) => `try_strptime(${v}, '%Y%m%d')::DATE` }
}
const ISO_NAMES = /^(strict_)?(date_optional_time(_nanos)?|date_time(_no_millis)?|date_hour_minute_second(_millis|_fraction)?|date_hour_minute|date_hour|iso8601)$/

// Java DateTimeFormatter letters and their strptime counterparts, longest first.
const TOKENS: [RegExp, string][] = [
  [/^(yyyy|uuuu)/, '%Y'], [/^(yy|uu)/, '%y'], [/^MM/, '%m'], [/^dd/, '%d'], [/^HH/, '%H'], [/^mm/, '%M'], [/^ss/, '%S'],
  [/^S{6,9}/, '%f'], [/^SSS/, '%g'], [/^(XXX|XX|X|xxx|xx|Z{1,3})/, '%z']
]

/**
 * Reads a date field as its mapping's format says: built-in formats by name, custom patterns such as
 * dd/MM/yyyy, several joined by ||, tried in order as Elasticsearch does. A field whose every format is a
 * calendar day becomes DATE; any other a TIMESTAMP WITH TIME ZONE (no offset means UTC, as in Elasticsearch).
 * Undefined when a format is one Kalla does not know: the field then stays text.
 */
export function planDate (format: string): DatePlan | undefined {
  const readers: Reader[] = []
  for (const part of format.split('||').map((f) => f.trim())) {
    const reader = readerOf(part)
    if (reader === undefined) return undefined
    readers.push(reader)
  }
  const dateOnly = readers.every((r) => r.dateOnly)
  const type = dateOnly ? 'DATE' : 'TIMESTAMP WITH TIME ZONE'
  const expression = (v: string): string => {
    const parts = readers.map((r) => `CAST(${r.read(v)} AS ${type})`)
    return parts.length === 1 ? parts[0]! : `coalesce(${parts.join(', ')})`
  }
  return { type, expression, formats: format }
}

function readerOf (format: string): Reader | undefined {
  const named = NAMED[format]
  if (named !== undefined) return named
  if (ISO_NAMES.test(format)) return { dateOnly: false, read: ISO }
  const pattern = strptimePattern(format)
  if (pattern === undefined) return undefined
  return { dateOnly: !/%[HMSgfz]/.test(pattern), read: (v) => `try_strptime(${v}, ${literal(pattern)})` }
}

/** A Java date pattern (dd/MM/yyyy HH:mm) as strptime's (%d/%m/%Y %H:%M); undefined for letters it has no counterpart for. */
export function strptimePattern (format: string): string | undefined {
  let out = ''
  let rest = format
  while (rest.length > 0) {
    if (rest.startsWith("'")) {
      const end = rest.indexOf("'", 1)
      if (end === -1) return undefined
      out += rest.slice(1, end).replaceAll('%', '%%')
      rest = rest.slice(end + 1)
      continue
    }
    const token = TOKENS.find(([re]) => re.test(rest))
    if (token !== undefined) {
      out += token[1]
      rest = rest.slice(token[0].exec(rest)![0].length)
      continue
    }
    if (/^[A-Za-z]/.test(rest)) return undefined
    out += rest[0] === '%' ? '%%' : rest[0]
    rest = rest.slice(1)
  }
  return out.includes('%') ? out : undefined
}
