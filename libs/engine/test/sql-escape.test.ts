import t from 'tap'
import { DuckDBInstance } from '@duckdb/node-api'
import { matchSqlProblems } from '../src/sql/validate.ts'
import { runJob } from '../src/index.ts'
import { fileJob, INVOICES_CSV, PAYMENTS_CSV, tempDir, writeText } from './fixtures.ts'

// Attempts to read outside the two sources: the engine's catalog and settings, its own SQL, variables,
// statements hidden in subqueries, and names that a WITH defines somewhere else than where they are read.
// Each must be refused before anything runs; the legitimate forms around them must still pass.

const instance = await DuckDBInstance.create(':memory:')
const connection = await instance.connect()
t.teardown(() => { connection.closeSync(); instance.closeSync() })

const aliases = ['invoices', 'payments']
const codes = async (sql: string): Promise<string[]> => (await matchSqlProblems(connection, sql, aliases)).map((p) => p.code)
const BOTH = 'SELECT i.id, p.id FROM invoices i JOIN payments p ON i.id = p.id'
const CATALOG = ['pg_settings', 'duckdb_tables', 'duckdb_settings', 'duckdb_views', 'duckdb_columns', 'sqlite_master', 'pg_tables', 'pg_class', 'duckdb_databases']

t.test('a WITH name is only visible where it is defined', async (t) => {
  for (const name of CATALOG) {
    const attempts = [
      // defined inside one subquery, read in another
      `SELECT (SELECT 1 FROM (WITH ${name} AS (SELECT 1) SELECT 1)) AS a, (SELECT count(*) FROM ${name}) AS b, i.id FROM invoices i, payments p`,
      // defined in one branch of a UNION, read in the other
      `SELECT * FROM (WITH ${name} AS (SELECT 1 AS x) SELECT x FROM ${name}) UNION ALL SELECT 1 FROM ${name}, invoices, payments`,
      // defined inside a WHERE subquery, read in FROM
      `SELECT * FROM invoices, payments, ${name} WHERE EXISTS (WITH ${name} AS (SELECT 1) SELECT 1 FROM ${name})`,
      // a non-recursive WITH that reads its own name reads the catalog's table of that name
      `WITH ${name} AS (SELECT * FROM ${name}) SELECT * FROM ${name}, invoices, payments`,
      // a WITH reads a name defined after it
      `WITH a AS (SELECT * FROM ${name}), ${name} AS (SELECT 1) SELECT * FROM a, invoices, payments`,
      // defined in a lateral subquery, read by a sibling join
      `SELECT * FROM invoices, LATERAL (WITH ${name} AS (SELECT 1) SELECT 1) l, payments JOIN ${name} ON true`
    ]
    for (const sql of attempts) t.ok((await codes(sql)).includes('ENGINE_SQL_UNKNOWN_TABLE'), sql)
  }
})

t.test('statements and catalog reads hidden in subqueries are refused', async (t) => {
  const attempts = ['(SHOW TABLES)', '(SHOW ALL TABLES)', '(SHOW invoices)', '(DESCRIBE invoices)', '(SUMMARIZE invoices)', '(SUMMARIZE SELECT 1)',
    '(FROM duckdb_settings())', 'duckdb_tables()', 'duckdb_functions()', 'duckdb_secrets()', 'duckdb_extensions()', 'pragma_database_size()',
    "pragma_table_info('invoices')", 'pragma_version()', 'pragma_database_list()', 'duckdb_temporary_files()', "sniff_csv('/etc/hosts')",
    "read_json('/etc/hosts')", "read_blob('/etc/hosts')", "parquet_metadata('x.parquet')", 'duckdb_logs()', 'test_all_types()', 'which_secret(\'s3://x\', \'s3\')']
  for (const from of attempts) {
    t.ok((await codes(`SELECT * FROM invoices, payments, ${from} AS x`)).some((c) => c === 'ENGINE_SQL_FORBIDDEN' || c === 'ENGINE_SQL_UNKNOWN_TABLE' || c === 'ENGINE_SQL_SYNTAX'), from)
  }
})

t.test('functions that reveal settings, variables, the query or the catalog are refused', async (t) => {
  const calls = ["current_setting('temp_directory')", "getvariable('x')", 'current_query()', 'current_database()', 'current_catalog()', 'current_schema()',
    'current_schemas(true)', 'pg_get_viewdef(1)', 'pg_get_constraintdef(1)', 'format_type(1, 1)', "get_block_size('memory')", 'sleep_ms(100000)',
    'pg_sleep(100)', "query('SELECT 1')", "query_table('pg_settings')", "json_execute_serialized_sql('{}')", "json_deserialize_sql('{}')",
    "read_text('/etc/hosts')", "getenv('HOME')", 'CHECKPOINT()', 'Current_Setting(\'threads\')']
  for (const call of calls) {
    t.ok((await codes(`SELECT ${call} AS x, i.id FROM invoices i, payments p`)).includes('ENGINE_SQL_FORBIDDEN'), call)
    t.ok((await codes(`SELECT i.id FROM invoices i JOIN payments p ON (SELECT ${call}) IS NOT NULL`)).includes('ENGINE_SQL_FORBIDDEN'), `${call} in a join condition`)
  }
})

t.test('legitimate WITH forms still pass', async (t) => {
  const accepted = [
    'WITH x AS (SELECT * FROM invoices), y AS (SELECT * FROM x) SELECT * FROM y, payments',
    'WITH p AS (SELECT * FROM payments) SELECT * FROM invoices i WHERE EXISTS (SELECT 1 FROM p WHERE p.id = i.id)',
    'WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r, invoices, payments',
    'SELECT * FROM (WITH x AS (SELECT * FROM invoices) SELECT * FROM x) a, (WITH x AS (SELECT * FROM payments) SELECT * FROM x) b',
    'WITH invoices AS (SELECT * FROM invoices WHERE id > 0) SELECT * FROM invoices, payments',
    `${BOTH} WHERE i.id IN (SELECT id FROM payments)`,
    'SELECT current_date AS d, i.id FROM invoices i, payments p'
  ]
  for (const sql of accepted) t.same(await codes(sql), [], sql)
})

t.test('a WITH that hides a source still needs the source read', async (t) => {
  t.same(await codes('WITH payments AS (SELECT 1 AS id) SELECT * FROM invoices, payments'), ['ENGINE_SQL_SOURCE_UNUSED'])
})

t.test('a run with an escape attempt fails before reading anything', async (t) => {
  const dir = await tempDir(t)
  const left = await writeText(dir, 'invoices.csv', INVOICES_CSV)
  const right = await writeText(dir, 'payments.csv', PAYMENTS_CSV)
  const sql = 'SELECT (SELECT 1 FROM (WITH pg_settings AS (SELECT 1) SELECT 1)) AS a, (SELECT max(value) FROM pg_settings) AS b, i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON i.invoice_id = p.reference_number'
  const job = fileJob(dir, left, right, { match_sql: sql })
  await t.rejects(runJob(job), { code: 'ENGINE_SQL_UNKNOWN_TABLE' })
})
