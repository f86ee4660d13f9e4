const DAY_MS = 86_400_000
/** Days are counted from 1970-01-01 (day 0), like DuckDB's DATE. */
export const YEAR_START = Date.UTC(2025, 0, 1) / DAY_MS
export const YEAR_DAYS = 365

/** Formats a day number as YYYY-MM-DD. */
export function formatDay (day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

/**
 * A memoised formatDay for the few hundred days a dataset uses: formatting through Date for every
 * one of millions of rows would dominate generation time.
 */
export function dayFormatter (): (day: number) => string {
  const cache = new Map<number, string>()
  return (day) => {
    let text = cache.get(day)
    if (text === undefined) {
      text = formatDay(day)
      cache.set(day, text)
    }
    return text
  }
}

/** The first day and the number of days of month `index` (0 = January) of 2025. */
export function monthOf2025 (index: number): { first: number, days: number } {
  const first = Date.UTC(2025, index, 1) / DAY_MS
  const next = Date.UTC(2025, index + 1, 1) / DAY_MS
  return { first, days: next - first }
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/

/**
 * Parses YYYY-MM-DD into its day number and its month as year * 12 + month - 1 (consecutive months are
 * consecutive numbers); null for an empty field (NULL).
 * Throws on anything else, including impossible dates such as 2025-02-30.
 */
export function parseDate (text: string): { day: number, month: number } | null {
  if (text === '') return null
  const match = DATE_PATTERN.exec(text)
  if (match === null) throw new RangeError(`"${text}" is not a date written as YYYY-MM-DD`)
  const year = Number(match[1])
  const month = Number(match[2]) - 1
  const dayOfMonth = Number(match[3])
  const date = new Date(0)
  // setUTCFullYear, unlike Date.UTC, does not move years 0-99 into the 1900s.
  date.setUTCFullYear(year, month, dayOfMonth)
  if (date.getUTCMonth() !== month || date.getUTCDate() !== dayOfMonth) {
    throw new RangeError(`"${text}" is not a real calendar date`)
  }
  return { day: date.getTime() / DAY_MS, month: year * 12 + month }
}
