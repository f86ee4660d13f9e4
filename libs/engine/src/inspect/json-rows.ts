import type { Column } from '../stage/columns.ts'

/** Rows as plain JSON: DuckDB already gives exact decimals and 64-bit integers as strings; timestamps become ISO 8601. */
export function jsonSafeRows (rows: Record<string, unknown>[], columns: readonly Column[]): Record<string, unknown>[] {
  const timestamps = columns.filter((c) => c.type.startsWith('TIMESTAMP')).map((c) => c.name)
  if (timestamps.length === 0) return rows
  return rows.map((row) => {
    const safe = { ...row }
    for (const name of timestamps) {
      const value = safe[name]
      if (typeof value === 'string') safe[name] = isoTimestamp(value)
    }
    return safe
  })
}

/** '2024-01-31 10:00:00.5+00' (DuckDB's text) -> '2024-01-31T10:00:00.5Z'. */
export function isoTimestamp (text: string): string {
  return text
    .replace(/^(-?\d{4,}-\d\d-\d\d) /, '$1T')
    .replace(/([+-]\d\d)$/, '$1:00')
    .replace(/\+00:00$/, 'Z')
}
