import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'

/**
 * What a run's Parquet files hold, independent of row order: per file its columns with their types, its
 * row count and the sum of every row's hash. Two runs with equal fingerprints wrote the same rows.
 */
export async function resultFingerprint (dir: string): Promise<Record<string, string>> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.parquet')).sort()
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' })
  const db = await instance.connect()
  try {
    const prints: Record<string, string> = {}
    for (const file of files) {
      const path = `'${join(dir, file).replaceAll("'", "''")}'`
      const columns = await db.runAndReadAll(`SELECT string_agg(column_name || ' ' || column_type, ', ') FROM (DESCRIBE SELECT * FROM read_parquet(${path}))`)
      const rows = await db.runAndReadAll(`SELECT count(*), CAST(sum(CAST(hash(t) AS HUGEINT)) AS VARCHAR) FROM read_parquet(${path}) AS t`)
      const [count, sum] = rows.getRowsJS()[0] ?? []
      prints[file] = `${String(columns.getRowsJS()[0]?.[0])}; ${String(count)} rows; hash sum ${String(sum)}`
    }
    return prints
  } finally {
    db.closeSync()
    instance.closeSync()
  }
}
