import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import { literal } from './sql.ts'

/**
 * Runs `work` in a throwaway DuckDB that may read only `files` and nothing else on the machine:
 * no other file, no network, no extension loading, and its settings locked before any query.
 */
export async function withDuckdb<T> (files: readonly string[], work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:', {
    threads: '1',
    memory_limit: '512MB',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false'
  })
  const connection = await instance.connect()
  try {
    await connection.run(`SET allowed_paths = [${files.map(literal).join(', ')}]`)
    await connection.run('SET enable_external_access = false')
    await connection.run('SET lock_configuration = true')
    return await work(connection)
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}
