/** Quotes an SQL identifier for DuckDB or Postgres: invoices -> "invoices", a"b -> "a""b". */
export function ident (name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** Quotes an SQL string literal: it's -> 'it''s'. */
export function literal (value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}

/** A column name and a readable, DuckDB-style type, as every endpoint reports columns. */
export interface Column { name: string, type: string }

/** The actual name of `wanted` among `columns`, ignoring case as SQL does; undefined when absent. */
export function findColumn (columns: readonly Column[], wanted: string): string | undefined {
  const lower = wanted.toLowerCase()
  return columns.find((c) => c.name.toLowerCase() === lower)?.name
}

export interface PreviewFilter { column: string, op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'contains', value: string | number | boolean }

/** Rows sent to callers are plain JSON: timestamps become ISO 8601 strings, the rest is already safe. */
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

/** '2024-01-31 10:00:00.5+00' (Postgres and DuckDB text) -> '2024-01-31T10:00:00.5Z'. */
export function isoTimestamp (text: string): string {
  return text
    .replace(/^(-?\d{4,}-\d\d-\d\d) /, '$1T')
    .replace(/([+-]\d\d)$/, '$1:00')
    .replace(/\+00:00$/, 'Z')
}
