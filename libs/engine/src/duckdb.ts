import type * as DuckDB from '@duckdb/node-api'

let loading: Promise<typeof DuckDB> | undefined

/**
 * DuckDB's module, imported on first use: a process that never opens a DuckDB (a service answering
 * `/readyz` before its first job, `kalla --help`) does not pay for loading its native library.
 */
export async function loadDuckDB (): Promise<typeof DuckDB> {
  loading ??= import('@duckdb/node-api')
  return await loading
}
