import { DuckDBInstance } from '@duckdb/node-api'

/**
 * Writes a result Parquet file as CSV with a header line, in a throwaway DuckDB of one thread so rows keep
 * the file's order. Decimals keep every digit, dates are written as ISO dates.
 */
export async function parquetToCsv (parquetPath: string, csvPath: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1', autoload_known_extensions: 'false', autoinstall_known_extensions: 'false' })
  const connection = await instance.connect()
  try {
    await connection.run(`COPY (SELECT * FROM read_parquet(${literal(parquetPath)})) TO ${literal(csvPath)} (FORMAT csv, HEADER true)`)
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

function literal (value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}
