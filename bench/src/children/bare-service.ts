// The start-up baseline of scenario 8: a bare Node process that opens DuckDB and answers /readyz on PORT,
// and nothing else — what any service built on DuckDB pays before its first useful work.
import { createServer } from 'node:http'
import { DuckDBInstance } from '@duckdb/node-api'

const instance = await DuckDBInstance.create(':memory:')
const connection = await instance.connect()
await connection.run('SELECT 1')
createServer((_request, response) => { response.end('ok') }).listen(Number(process.env.PORT), '127.0.0.1')
process.on('SIGTERM', () => {
  connection.closeSync()
  instance.closeSync()
  process.exit(0)
})
