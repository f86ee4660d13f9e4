import { version } from '@duckdb/node-api'

/** The DuckDB library version the engine runs on, e.g. "v1.5.6". */
export function duckdbVersion (): string {
  return version()
}
