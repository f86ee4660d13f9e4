import t from 'tap'
import { DuckDBInstance } from '@duckdb/node-api'
import { matchSqlProblems } from '../src/sql/validate.ts'

const instance = await DuckDBInstance.create(':memory:')
const connection = await instance.connect()
t.teardown(() => { connection.closeSync(); instance.closeSync() })

const aliases = ['invoices', 'payments']
const codes = async (sql: string): Promise<string[]> => (await matchSqlProblems(connection, sql, aliases)).map((p) => p.code)

t.test('a join of the two sources, with CTEs, helpers and a trailing semicolon, is accepted', async (t) => {
  t.same(await codes('WITH paid AS (SELECT reference_number, sum(paid_amount) AS total FROM payments GROUP BY 1) SELECT i.invoice_id, p.payment_id FROM invoices i JOIN paid ON paid.reference_number = i.invoice_id JOIN payments p ON tolerance_match(i.amount, p.paid_amount, 0.02);'), [])
  t.same(await codes('SELECT * FROM invoices, payments, range(3) AS r(x) -- comment'), [])
})

t.test('a syntax error says where it is', async (t) => {
  const [problem] = await matchSqlProblems(connection, 'SELECT i.invoice_id\nFROM invoices i JOIN payments p ONN true', aliases)
  t.equal(problem?.code, 'ENGINE_SQL_SYNTAX')
  t.match(problem?.message, /line 2/)
})

t.test('anything but exactly one SELECT is refused', async (t) => {
  for (const sql of ['DELETE FROM invoices', "COPY invoices TO '/tmp/x.csv'", "ATTACH '/tmp/x.db'", 'INSTALL httpfs', 'LOAD httpfs',
    'SET memory_limit = \'100GB\'', 'PRAGMA version', 'CREATE TABLE x AS SELECT 1', 'SELECT 1 FROM invoices, payments; SELECT 2 FROM invoices, payments', '   ']) {
    t.same(await codes(sql), ['ENGINE_SQL_NOT_SELECT'], sql)
  }
})

t.test('table functions that read files or the catalog are refused', async (t) => {
  for (const fn of ["read_csv('/etc/passwd')", "read_parquet('x.parquet')", "glob('/*')", 'duckdb_settings()', "read_text('/etc/hosts')", "query('SELECT 1')"]) {
    t.ok((await codes(`SELECT * FROM invoices, payments, ${fn}`)).includes('ENGINE_SQL_FORBIDDEN'), fn)
  }
  t.ok((await codes("SELECT * FROM invoices, payments WHERE EXISTS (SELECT 1 FROM read_csv('/etc/passwd'))")).includes('ENGINE_SQL_FORBIDDEN'), 'also inside a subquery')
})

t.test('functions that reveal settings are refused', async (t) => {
  t.same(await codes("SELECT current_setting('temp_directory') FROM invoices, payments"), ['ENGINE_SQL_FORBIDDEN'])
})

t.test('tables other than the two aliases are refused, including files and system schemas', async (t) => {
  t.same(await codes("SELECT * FROM invoices, payments, '/etc/passwd'"), ['ENGINE_SQL_UNKNOWN_TABLE'])
  t.same(await codes('SELECT * FROM invoices, payments, information_schema.tables'), ['ENGINE_SQL_UNKNOWN_TABLE'])
  t.same(await codes('SELECT * FROM invoices, payments, bank'), ['ENGINE_SQL_UNKNOWN_TABLE'])
  t.same(await codes('SELECT * FROM invoices, other.payments'), ['ENGINE_SQL_UNKNOWN_TABLE', 'ENGINE_SQL_SOURCE_UNUSED'])
})

t.test('a query that never reads one source says which', async (t) => {
  const problems = await matchSqlProblems(connection, 'SELECT * FROM invoices', aliases)
  t.same(problems.map((p) => p.code), ['ENGINE_SQL_SOURCE_UNUSED'])
  t.match(problems[0]?.message, /payments/)
})
