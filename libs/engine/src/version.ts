import { loadDuckDB } from './duckdb.ts'

/** The DuckDB library version the engine runs on, e.g. "v1.5.6". */
export async function duckdbVersion (): Promise<string> {
  return (await loadDuckDB()).version()
}
