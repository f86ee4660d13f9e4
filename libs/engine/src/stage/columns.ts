import type { DuckDBConnection } from '@duckdb/node-api'

export interface Column { name: string, type: string }

/** Column names and DuckDB types of a relation or query, in order. */
export async function describe (connection: DuckDBConnection, relation: string): Promise<Column[]> {
  const reader = await connection.runAndReadAll(`DESCRIBE ${relation}`)
  return reader.getRowObjectsJson().map((row) => ({ name: String(row.column_name), type: String(row.column_type) }))
}

/** Finds `wanted` among `columns` ignoring case, as DuckDB does; returns the actual name or undefined. */
export function findColumn (columns: readonly { name: string }[], wanted: string): string | undefined {
  const lower = wanted.toLowerCase()
  return columns.find((c) => c.name.toLowerCase() === lower)?.name
}
