import { DuckDBInstance } from '@duckdb/node-api'
import { literal } from './sql/quote.ts'
import type { Column } from './stage/index.ts'

export interface ResultPage {
  columns: Column[]
  rows: Record<string, unknown>[]
  totalCount: number
  offset: number
}

/**
 * Reads one page of a result Parquet file as JSON-safe rows: decimals and 64-bit integers as exact
 * strings, dates and timestamps as ISO strings. The file is only read, in a throwaway DuckDB.
 * @example const page = await readResultPage('/results/run-1/matched.parquet', { limit: 100, offset: 0 })
 */
export async function readResultPage (path: string, page: { limit: number, offset: number }): Promise<ResultPage> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1', autoload_known_extensions: 'false', autoinstall_known_extensions: 'false' })
  const connection = await instance.connect()
  try {
    const file = `read_parquet(${literal(path)})`
    const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${file}`)
    const columns = described.getRowObjectsJson().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }))
    const total = await connection.runAndReadAll(`SELECT count(*) FROM ${file}`)
    const reader = await connection.runAndReadAll(`SELECT * FROM ${file} LIMIT ${Math.max(0, Math.floor(page.limit))} OFFSET ${Math.max(0, Math.floor(page.offset))}`)
    return { columns, rows: reader.getRowObjectsJson() as Record<string, unknown>[], totalCount: Number(total.getRowsJS()[0]?.[0] ?? 0), offset: page.offset }
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}
