// The start-up baseline of scenario 8 for `kalla match`: a bare Node process that opens DuckDB, runs one
// statement and says so; the time to that line is what any DuckDB program pays before its first work.
import { DuckDBInstance } from '@duckdb/node-api'

const instance = await DuckDBInstance.create(':memory:')
const connection = await instance.connect()
await connection.run('SELECT 1')
process.stderr.write('opened\n')
connection.closeSync()
instance.closeSync()
