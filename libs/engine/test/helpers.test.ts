import t from 'tap'
import { resolveEngineOptions } from '../src/index.ts'
import { openSandbox } from '../src/sandbox.ts'
import { tempDir } from './fixtures.ts'

const dir = await tempDir(t)
const sandbox = await openSandbox(resolveEngineOptions({ workDir: dir }), { readable: [], writable: [] })
t.teardown(() => sandbox.close())
const value = async (sql: string): Promise<unknown> => (await sandbox.connection.runAndReadAll(`SELECT ${sql}`)).getRowsJS()[0]?.[0]

t.test('tolerance_match is inclusive and exact on decimals', async (t) => {
  t.equal(await value('tolerance_match(100.00, 100.02, 0.02)'), true)
  t.equal(await value('tolerance_match(100.02, 100.00, 0.02)'), true)
  t.equal(await value('tolerance_match(100.00, 100.03, 0.02)'), false)
  t.equal(await value('tolerance_match(0.10::DECIMAL(18,2), (0.30 - 0.20)::DECIMAL(18,2), 0.00)'), true, 'no float drift at zero tolerance')
  t.equal(await value('tolerance_match(-5.00, -5.01, 0.01)'), true, 'negative amounts')
})

t.test('pct_tolerance_match compares against a percentage of the first amount', async (t) => {
  t.equal(await value('pct_tolerance_match(200.00, 201.00, 0.5)'), true, '1.00 is exactly 0.5% of 200.00')
  t.equal(await value('pct_tolerance_match(200.00, 201.01, 0.5)'), false)
  t.equal(await value('pct_tolerance_match(-200.00, -199.00, 0.5)'), true, 'uses the absolute value for credits')
})

t.test('date_within counts calendar days, inclusive', async (t) => {
  t.equal(await value("date_within(DATE '2024-01-31', DATE '2024-03-01', 30)"), true)
  t.equal(await value("date_within(DATE '2024-01-31', DATE '2024-03-02', 30)"), false)
  t.equal(await value("date_within(DATE '2024-03-01', DATE '2024-01-31', 30)"), true, 'before as well as after')
  t.equal(await value("date_within(TIMESTAMP '2024-01-01 23:59', TIMESTAMP '2024-01-02 00:01', 0)"), false)
  t.equal(await value("date_within(TIMESTAMP '2024-01-01 23:59', TIMESTAMP '2024-01-01 00:01', 0)"), true)
})

t.test('a tolerance join is planned as a hash or range join, never a nested loop', async (t) => {
  await sandbox.connection.run('CREATE TABLE l AS SELECT i AS id, (i % 1000)::DECIMAL(18,2) AS amount, DATE \'2024-01-01\' + (i % 30)::INTEGER AS d FROM range(10000) t(i)')
  await sandbox.connection.run('CREATE TABLE r AS SELECT i AS id, (i % 1000)::DECIMAL(18,2) + 0.01 AS amount, DATE \'2024-01-03\' + (i % 30)::INTEGER AS d FROM range(10000) t(i)')
  const plan = async (sql: string): Promise<string> => (await sandbox.connection.runAndReadAll(`EXPLAIN ${sql}`)).getRowsJS().map((row) => String(row[1])).join('\n')
  for (const sql of [
    'SELECT * FROM l JOIN r ON l.id = r.id AND tolerance_match(l.amount, r.amount, 0.02)',
    'SELECT * FROM l JOIN r ON tolerance_match(l.amount, r.amount, 0.02)',
    'SELECT * FROM l JOIN r ON l.id = r.id AND date_within(l.d, r.d, 3)',
    'SELECT * FROM l JOIN r ON date_within(l.d, r.d, 3) AND pct_tolerance_match(l.amount, r.amount, 1)'
  ]) {
    const text = await plan(sql)
    t.notMatch(text, /NESTED_LOOP_JOIN|BLOCKWISE_NL_JOIN|CROSS_PRODUCT/, sql)
    t.match(text, /HASH_JOIN|IE_JOIN|PIECEWISE_MERGE_JOIN/, sql)
  }
})

t.test('the sandbox cannot read files, change settings or load extensions', async (t) => {
  await t.rejects(sandbox.connection.run("SELECT * FROM read_csv('/etc/passwd')"), /Permission Error/)
  await t.rejects(sandbox.connection.run("COPY (SELECT 1) TO '/tmp/kalla-escape.csv'"), /Permission Error/)
  await t.rejects(sandbox.connection.run('SET enable_external_access = true'), /locked/)
  await t.rejects(sandbox.connection.run("SET memory_limit = '100GB'"), /locked/)
  await t.rejects(sandbox.connection.run("SET TimeZone = 'America/New_York'"), /locked/, 'the time zone stays UTC')
  await t.rejects(sandbox.connection.run('LOAD httpfs'), /disabled|Permission/)
  await t.rejects(sandbox.connection.run('INSTALL httpfs'), /Permission|disabled/)
})
