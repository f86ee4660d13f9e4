import { readFile } from 'node:fs/promises'
import t from 'tap'
import type { RunProgress } from '@kalla/proto'
import { isEngineError, runJob } from '../src/index.ts'
import { fileJob, INVOICES_CSV, readRows, tempDir, writeText } from './fixtures.ts'
import { pgSchema } from './postgres-db.ts'

const PAYMENTS_TABLE = `
  payment_id text PRIMARY KEY, reference_number text, paid_amount numeric(12,2), payment_date date,
  fee numeric, booked_at timestamptz, settled boolean, batch uuid, memo text, raw bytea, attempts int, tags text[]`

async function seedPayments (client: { query: (sql: string) => Promise<unknown> }, schema: string): Promise<void> {
  await client.query(`CREATE TABLE ${schema}.payments (${PAYMENTS_TABLE})`)
  await client.query(`INSERT INTO ${schema}.payments VALUES
    ('P1', 'INV-1', 100.02, '2024-01-05', 0.000000000000000001, '2024-01-05 10:00:00+02', true, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'comma, "quote" and
newline', '\\xdeadbeef', 1, '{a,b}'),
    ('P2', 'INV-2', 250.53, '2024-01-06', 12345678901234567890.5, NULL, false, NULL, '', NULL, NULL, NULL),
    ('P3', 'INV-3', 99.99, '2024-01-07', 1, NULL, NULL, NULL, NULL, NULL, 3, '{}'),
    ('P4', 'INV-9', 5.00, '2024-01-08', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`)
}

t.test('a Postgres table is staged with exact types and values, empty text NULL as in every format', async (t) => {
  const { client, schema, uri } = await pgSchema(t)
  await seedPayments(client, schema)
  const dir = await tempDir(t)
  const events: RunProgress[] = []
  const job = fileJob(dir, await writeText(dir, 'inv.csv', INVOICES_CSV), '', {}, [{}, { type: 'postgres', uri: uri(`table=${schema}.payments`) }])
  const done = await runJob(job, { onProgress: (p) => events.push(p) })
  t.same([done.total_right, done.matched_count, done.unmatched_right_count], [4, 2, 2])
  t.ok(events.some((e) => e.source === 'payments' && e.stage === 'staging'), 'reports staging progress for the database source')
  const summary = JSON.parse(await readFile(done.outputs.summary, 'utf8'))
  const types = Object.fromEntries(summary.sources[1].columns.map((c: { name: string, type: string }) => [c.name, c.type]))
  t.same(types, {
    payment_id: 'VARCHAR',
    reference_number: 'VARCHAR',
    paid_amount: 'DECIMAL(12,2)',
    payment_date: 'DATE',
    fee: 'DECIMAL(38,18)',
    booked_at: 'TIMESTAMP WITH TIME ZONE',
    settled: 'BOOLEAN',
    batch: 'UUID',
    memo: 'VARCHAR',
    raw: 'VARCHAR',
    attempts: 'INTEGER',
    tags: 'VARCHAR'
  })
  const rows = await readRows(done.outputs.unmatched_right, "payment_id, paid_amount::VARCHAR AS paid, fee::VARCHAR AS fee, memo, memo IS NULL AS memo_null, strftime(booked_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M') AS booked", 'payment_id')
  t.same(rows, [
    { payment_id: 'P2', paid: '250.53', fee: '12345678901234567890.500000000000000000', memo: null, memo_null: true, booked: null },
    { payment_id: 'P4', paid: '5.00', fee: null, memo: null, memo_null: true, booked: null }
  ])
  const matched = await readRows(done.outputs.matched, 'payment_id', 'payment_id')
  t.same(matched.map((r) => r.payment_id), ['P1', 'P3'])
})

t.test('special text survives the trip, and timestamps keep their instant', async (t) => {
  const { client, schema, uri } = await pgSchema(t)
  await seedPayments(client, schema)
  const dir = await tempDir(t)
  const job = fileJob(dir, await writeText(dir, 'inv.csv', INVOICES_CSV), '', {
    match_sql: "SELECT i.invoice_id, p.payment_id, p.memo, p.raw, p.tags, p.booked_at, p.fee FROM invoices i JOIN payments p ON i.invoice_id = p.reference_number WHERE p.payment_id = 'P1'"
  }, [{}, { type: 'postgres', uri: uri(`table=${schema}.payments`) }])
  const done = await runJob(job)
  const [row] = await readRows(done.outputs.matched, 'memo, raw, tags, epoch(booked_at) AS epoch, fee::VARCHAR AS fee')
  t.same(row, { memo: 'comma, "quote" and\nnewline', raw: 'deadbeef', tags: '{a,b}', epoch: 1704441600, fee: '0.000000000000000001' })
})

t.test('spaces-only text is NULL too, and Infinity or NaN in a float column is refused with its column', async (t) => {
  const { client, schema, uri } = await pgSchema(t)
  await client.query(`CREATE TABLE ${schema}.payments (payment_id text, reference_number text, memo varchar(10), rate float8)`)
  await client.query(`INSERT INTO ${schema}.payments VALUES ('P1', 'INV-1', '   ', 1.5), ('P2', 'INV-2', ' x ', 2)`)
  const dir = await tempDir(t)
  const match = { match_sql: 'SELECT i.invoice_id, p.payment_id, p.memo FROM invoices i JOIN payments p ON i.invoice_id = p.reference_number' }
  const job = fileJob(dir, await writeText(dir, 'inv.csv', INVOICES_CSV), '', match, [{}, { type: 'postgres', uri: uri(`table=${schema}.payments`) }])
  const done = await runJob(job)
  t.same(await readRows(done.outputs.matched, 'payment_id, memo', 'payment_id'), [{ payment_id: 'P1', memo: null }, { payment_id: 'P2', memo: ' x ' }])
  await client.query(`INSERT INTO ${schema}.payments VALUES ('P3', 'INV-3', NULL, 'Infinity'), ('P4', 'INV-4', NULL, 'NaN')`)
  const error = await runJob(fileJob(dir, await writeText(dir, 'inv.csv', INVOICES_CSV), '', match, [{}, { type: 'postgres', uri: uri(`table=${schema}.payments`) }])).then(() => undefined, (e: unknown) => e)
  t.ok(isEngineError(error))
  t.match(error, { code: 'ENGINE_NON_FINITE_NUMBER', message: /payments: column rate holds 2 values that are not a finite number/ })
})

t.test('a ?query= source reads exactly what the query returns', async (t) => {
  const { client, schema, uri } = await pgSchema(t)
  await seedPayments(client, schema)
  const dir = await tempDir(t)
  const query = encodeURIComponent(`SELECT payment_id, reference_number, paid_amount FROM ${schema}.payments WHERE paid_amount > 50;`)
  const job = fileJob(dir, await writeText(dir, 'inv.csv', INVOICES_CSV), '', {}, [{}, { type: 'postgres', uri: uri(`query=${query}`) }])
  const done = await runJob(job)
  t.same([done.total_right, done.matched_count, done.unmatched_right_count], [3, 2, 1])
})

t.test('database problems are coded and never show the password', async (t) => {
  const dir = await tempDir(t)
  const left = await writeText(dir, 'inv.csv', INVOICES_CSV)
  const attempt = async (uri: string): Promise<{ code: string, message: string }> => {
    const error = await runJob(fileJob(dir, left, '', {}, [{}, { type: 'postgres', uri }])).then(() => undefined, (e: unknown) => e)
    if (!isEngineError(error)) throw new Error(`expected an engine error, got ${String(error)}`)
    t.notMatch(error.message, /s3cret/, 'no password in the message')
    return { code: error.code, message: error.message }
  }
  t.equal((await attempt('postgres://kalla:s3cret@127.0.0.1:1/db?table=payments')).code, 'ENGINE_SOURCE_UNREACHABLE')
  t.equal((await attempt('postgres://postgres:s3cret@127.0.0.1:5432/postgres?table=no_such_table')).code, 'ENGINE_SOURCE_NOT_FOUND')
  t.equal((await attempt('postgres://postgres:s3cret@127.0.0.1:5432/kalla_no_such_db?table=payments')).code, 'ENGINE_SOURCE_NOT_FOUND')
  t.equal((await attempt('postgres://postgres:s3cret@127.0.0.1:5432/postgres?query=SELEC%201')).code, 'ENGINE_SOURCE_QUERY_FAILED')
  t.equal((await attempt('postgres://postgres:s3cret@127.0.0.1:5432/postgres')).code, 'ENGINE_SOURCE_URI_INVALID')
})

t.test('a source query cannot write to the database', async (t) => {
  const { client, schema, uri } = await pgSchema(t)
  await seedPayments(client, schema)
  const dir = await tempDir(t)
  const query = encodeURIComponent(`WITH gone AS (DELETE FROM ${schema}.payments RETURNING *) SELECT * FROM gone`)
  const error = await runJob(fileJob(dir, await writeText(dir, 'inv.csv', INVOICES_CSV), '', {}, [{}, { type: 'postgres', uri: uri(`query=${query}`) }])).then(() => undefined, (e: unknown) => e)
  t.ok(isEngineError(error))
  const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${schema}.payments`)
  t.equal(rows[0].n, 4, 'nothing was deleted')
})
