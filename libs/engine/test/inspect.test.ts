import { readFile } from 'node:fs/promises'
import t from 'tap'
import { describeSource, isEngineError, previewSource, runJob } from '../src/index.ts'
import { fileJob, INVOICES_CSV, PAYMENTS_CSV, tempDir, writeText } from './fixtures.ts'
import { pgSchema } from './postgres-db.ts'

async function failure (promise: Promise<unknown>): Promise<{ code: string, message: string }> {
  try {
    await promise
  } catch (error) {
    if (isEngineError(error)) return error
    throw error
  }
  throw new Error('expected an engine error')
}

t.test('a file is described with the types a run stages it with, measured over every row', async (t) => {
  const dir = await tempDir(t)
  // Row 20,001 has three decimals and a leading-zero account: a sample of the first 20,000 would miss both.
  const rows = Array.from({ length: 20_000 }, (_, i) => `R${i},${i}.50,${100 + i}`)
  const path = await writeText(dir, 'ledger.csv', `id,amount,account\n${rows.join('\n')}\nR-last,1.125,00042\n`)
  const described = await describeSource({ type: 'file', uri: path, alias: 'ledger' })
  t.same(described.columns, [{ name: 'id', type: 'VARCHAR' }, { name: 'amount', type: 'DECIMAL(18,3)' }, { name: 'account', type: 'VARCHAR' }])
  t.equal(described.format, 'csv')
  t.equal(described.rows, undefined, 'a text file has no cheap row count')

  const done = await runJob(fileJob(dir, path, await writeText(dir, 'p.csv', 'payment_id,id\nP1,R1\n'), { match_sql: 'SELECT l.id, p.payment_id FROM ledger l JOIN payments p ON p.id = l.id', primary_keys: { ledger: ['id'], payments: ['payment_id'] } }, [{ alias: 'ledger' }, {}]))
  const summary = JSON.parse(await readFile(done.outputs.summary, 'utf8')) as { sources: { alias: string, columns: { name: string, type: string }[] }[] }
  t.same(summary.sources.find((s) => s.alias === 'ledger')?.columns.map((c) => ({ name: c.name, type: c.type })), described.columns, 'the same types as the run staged')
})

t.test('a Parquet file is described from its own schema, with its row count', async (t) => {
  const dir = await tempDir(t)
  const csv = await writeText(dir, 'inv.csv', INVOICES_CSV)
  const done = await runJob(fileJob(dir, csv, await writeText(dir, 'pay.csv', PAYMENTS_CSV)))
  const described = await describeSource({ type: 'file', uri: done.outputs.unmatched_left })
  // INV-2 is paid 0.03 too much and INV-4 not at all: two invoices stay unmatched.
  t.same(described.rows, { count: 2, exact: true })
  t.same(described.columns.map((c) => c.type), ['VARCHAR', 'VARCHAR', 'DECIMAL(18,2)', 'DATE'])
})

t.test('a file preview gives the first rows that pass bound filters, JSON-safe', async (t) => {
  const dir = await tempDir(t)
  const path = await writeText(dir, 'stored-under-another-name', 'id,amount,big,at\nA,10.10,9007199254740993,2024-01-01 10:00:00\nB,250.00,2,2024-01-02 11:30:00.25\nC,-5.5,3,2024-01-03 00:00:00\n')
  const spec = { type: 'file' as const, uri: path, alias: 'ledger', format: 'csv' as const }
  const preview = await previewSource(spec, { limit: 5, filters: [{ column: 'AMOUNT', op: '>', value: '10.05' }] })
  t.same(preview.rows, [
    { id: 'A', amount: '10.10', big: '9007199254740993', at: '2024-01-01T10:00:00' },
    { id: 'B', amount: '250.00', big: '2', at: '2024-01-02T11:30:00.25' }
  ], 'decimals and 64-bit integers are exact strings, timestamps ISO')
  const injected = await previewSource(spec, { limit: 5, filters: [{ column: 'id', op: '=', value: "x' OR '1'='1" }] })
  t.same(injected.rows, [], 'values are bound, never spliced')
  t.equal((await failure(previewSource(spec, { limit: 5, filters: [{ column: 'nope', op: '=', value: 1 }] }))).code, 'ENGINE_FILTER_INVALID')
  const broken = await failure(describeSource({ type: 'file', uri: await writeText(dir, 'x.parquet', 'not parquet'), alias: 'upload', name: 'bank.parquet' }))
  t.equal(broken.code, 'ENGINE_FILE_MALFORMED')
  t.match(broken.message, /^upload: bank\.parquet cannot be read as Parquet/)
  t.notMatch(broken.message, dir, 'the message names the file, not where it is stored')
})

t.test('a Postgres source is described and previewed with the types a run gives it', async (t) => {
  const { client, schema, uri } = await pgSchema(t)
  await client.query(`CREATE TABLE ${schema}.invoices (invoice_id text, amount numeric(12,2), total numeric, issued date, paid boolean, created_at timestamptz, lines int)`)
  await client.query(`INSERT INTO ${schema}.invoices VALUES ('INV-1', 100.50, 100.5, '2024-01-31', true, '2024-01-31 10:00:00+00', 2), ('INV-2', 250.00, 250.125, '2024-02-01', false, '2024-02-01 11:30:00.25+00', 1), ('INV-3', 7.00, 7, '2024-03-01', NULL, NULL, NULL)`)
  const spec = { type: 'postgres' as const, uri: uri(`table=${schema}.invoices`), alias: 'erp' }
  const described = await describeSource(spec)
  t.same(described.columns.map((c) => c.type), ['VARCHAR', 'DECIMAL(12,2)', 'DECIMAL(18,3)', 'DATE', 'BOOLEAN', 'TIMESTAMPTZ', 'INTEGER'])
  t.same([described.rows?.exact, described.location], [false, { display: '127.0.0.1:5432/postgres', what: `the table ${schema}.invoices` }])

  const preview = await previewSource(spec, { limit: 10, filters: [{ column: 'amount', op: '>=', value: 100 }, { column: 'issued', op: '<', value: '2024-03-01' }] })
  t.same(preview.rows, [
    { invoice_id: 'INV-1', amount: '100.50', total: '100.500', issued: '2024-01-31', paid: true, created_at: '2024-01-31T10:00:00Z', lines: 2 },
    { invoice_id: 'INV-2', amount: '250.00', total: '250.125', issued: '2024-02-01', paid: false, created_at: '2024-02-01T11:30:00.25Z', lines: 1 }
  ])
  t.equal((await failure(previewSource(spec, { limit: 5, filters: [{ column: 'amount', op: '=', value: 'lots' }] }))).code, 'ENGINE_FILTER_INVALID')
  const missing = await failure(describeSource({ ...spec, uri: uri(`table=${schema}.nothing`) }))
  t.same([missing.code, missing.message], ['ENGINE_SOURCE_NOT_FOUND', `erp: the table ${schema}.nothing does not exist in 127.0.0.1:5432/postgres.`])
  const down = await failure(describeSource({ type: 'postgres', uri: 'postgres://kalla:secret@127.0.0.1:1/erp?table=x' }, { connectTimeoutMs: 2000 }))
  t.equal(down.code, 'ENGINE_SOURCE_UNREACHABLE')
  t.notMatch(down.message, 'secret')
})
