/** Quotes an SQL identifier for DuckDB or Postgres: invoices -> "invoices", a"b -> "a""b". */
export function ident (name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** Quotes an SQL string literal: it's -> 'it''s'. */
export function literal (value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}

/** A list literal of strings for DuckDB settings: ['a', 'b']. */
export function literalList (values: readonly string[]): string {
  return `[${values.map(literal).join(', ')}]`
}
