import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { RunProgress } from '@kalla/proto'
import { startBigQueryServer, type BigQueryCell, type BigQuerySchemaField, type BigQueryServer } from '@kalla/testing'
import { isEngineError, runJob } from '../src/index.ts'
import { fileJob, INVOICES_CSV, readRows, tempDir, writeText } from './fixtures.ts'

const PAYMENT_FIELDS = [
  { name: 'payment_id', type: 'STRING', mode: 'REQUIRED' },
  { name: 'reference_number', type: 'STRING' },
  { name: 'paid_amount', type: 'NUMERIC', precision: '12', scale: '2' }
]
const EDGE_FIELDS = [
  { name: 'fee', type: 'NUMERIC' },
  { name: 'share', type: 'BIGNUMERIC', precision: '38', scale: '20' },
  { name: 'big', type: 'INT64' },
  { name: 'paid_on', type: 'DATE' },
  { name: 'booked', type: 'DATETIME' },
  { name: 'posted_at', type: 'TIMESTAMP' },
  { name: 'settled', type: 'BOOL' },
  { name: 'raw', type: 'BYTES' },
  { name: 'rate', type: 'FLOAT64' },
  { name: 'memo', type: 'STRING' }
]
// REST text as BigQuery sends it: INT64 digits, NUMERIC text, TIMESTAMP as microseconds, BYTES base64.
const EDGE_ROWS: BigQueryCell[][] = [
  ['P1', 'INV-1', '100.02', '99999999999999999999999999999.999999999', '123456789012345678.12345678901234567890', '9223372036854775807', '2024-01-05', '2024-01-05T10:00:00.123456', '1704448800123456', 'true', '3q2+7w==', '0.1', 'comma, "quote" and\nnewline'],
  ['P2', 'INV-2', '250.53', '-0.000000001', '-0.00000000000000000001', '-9007199254740993', '0001-01-01', '9999-12-31T23:59:59.999999', '-1', 'false', '', '-2.5E-7', ''],
  ['P3', 'INV-3', '99.99', '0', '0', '9007199254740993', '2024-02-29', '2024-02-29T00:00:00', '-62135596800000000', null, null, null, '   '],
  ['P4', 'INV-9', '5.00', null, null, null, null, null, null, null, null, null, null]
]

async function bigQuery (t: Test, pageRows = 1000): Promise<BigQueryServer> {
  const server = await startBigQueryServer({ pageRows })
  t.teardown(server.close)
  return server
}

async function failure (promise: Promise<unknown>): Promise<{ code: string, message: string }> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  if (!isEngineError(error)) throw new Error(`expected an engine error, got ${String(error)}`)
  return error
}

/** Invoices from a file against payments from the stand-in (ONE_TO_ONE_SQL: INV-1 and INV-3 match). */
async function paymentsJob (t: Test, uri: string): Promise<{ job: ReturnType<typeof fileJob>, dir: string }> {
  const dir = await tempDir(t)
  return { job: fileJob(dir, await writeText(dir, 'inv.csv', INVOICES_CSV), '', {}, [{}, { type: 'bigquery', uri }]), dir }
}

t.test('a BigQuery table is staged with exact types and values', async (t) => {
  const server = await bigQuery(t, 2)
  server.addTable('finance', 'payments', { schema: [...PAYMENT_FIELDS, ...EDGE_FIELDS], rows: EDGE_ROWS })
  const { job } = await paymentsJob(t, server.uri({ dataset: 'finance', table: 'payments' }))
  const done = await runJob(job)
  t.same([done.total_right, done.matched_count, done.unmatched_right_count], [4, 2, 2])
  const pages = server.requests.filter((r) => r.path.endsWith('/data'))
  t.equal(pages.length, 2, 'two pages of two rows, through tabledata.list')
  t.ok(pages.every((r) => r.search.includes('formatOptions.useInt64Timestamp=true')), 'timestamps travel as integer microseconds')
  const summary = JSON.parse(await readFile(done.outputs.summary, 'utf8'))
  t.same(Object.fromEntries(summary.sources[1].columns.map((c: { name: string, type: string }) => [c.name, c.type])), {
    payment_id: 'VARCHAR',
    reference_number: 'VARCHAR',
    paid_amount: 'DECIMAL(12,2)',
    fee: 'DECIMAL(38,9)',
    share: 'DECIMAL(38,20)',
    big: 'BIGINT',
    paid_on: 'DATE',
    booked: 'TIMESTAMP',
    posted_at: 'TIMESTAMP WITH TIME ZONE',
    settled: 'BOOLEAN',
    raw: 'VARCHAR',
    rate: 'DOUBLE',
    memo: 'VARCHAR'
  }, 'NUMERIC is DECIMAL(38,9) unless declared narrower; a BIGNUMERIC(38,20) keeps its declaration')
  const matched = await readRows(done.outputs.matched, 'payment_id', 'payment_id')
  t.same(matched.map((r) => r.payment_id), ['P1', 'P3'])
  const unmatched = await readRows(done.outputs.unmatched_right, 'payment_id, paid_amount::VARCHAR AS paid, fee::VARCHAR AS fee, share::VARCHAR AS share, big::VARCHAR AS big, paid_on::VARCHAR AS paid_on, booked::VARCHAR AS booked, epoch_us(posted_at)::VARCHAR AS posted_at, settled, raw, rate, memo', 'payment_id')
  t.same(unmatched, [
    { payment_id: 'P2', paid: '250.53', fee: '-0.000000001', share: '-0.00000000000000000001', big: '-9007199254740993', paid_on: '0001-01-01', booked: '9999-12-31 23:59:59.999999', posted_at: '-1', settled: false, raw: null, rate: -2.5e-7, memo: null },
    { payment_id: 'P4', paid: '5.00', fee: null, share: null, big: null, paid_on: null, booked: null, posted_at: null, settled: null, raw: null, rate: null, memo: null }
  ], 'decimals, 64-bit integers and microseconds exact; empty text and empty bytes are NULL')
  const first = await runJob({ ...job, output_path: join(job.output_path, 'p1'), match_sql: "SELECT i.invoice_id, p.* FROM invoices i JOIN payments p ON i.invoice_id = p.reference_number WHERE p.payment_id IN ('P1', 'P3')" })
  t.same(await readRows(first.outputs.matched, 'payment_id, fee::VARCHAR AS fee, share::VARCHAR AS share, big::VARCHAR AS big, booked::VARCHAR AS booked, epoch_us(posted_at)::VARCHAR AS posted_at, settled, raw, memo', 'payment_id'), [
    { payment_id: 'P1', fee: '99999999999999999999999999999.999999999', share: '123456789012345678.12345678901234567890', big: '9223372036854775807', booked: '2024-01-05 10:00:00.123456', posted_at: '1704448800123456', settled: true, raw: 'deadbeef', memo: 'comma, "quote" and\nnewline' },
    { payment_id: 'P3', fee: '0.000000000', share: '0.00000000000000000000', big: '9007199254740993', booked: '2024-02-29 00:00:00', posted_at: '-62135596800000000', settled: null, raw: null, memo: null }
  ], 'a NUMERIC of 38 digits, INT64 beyond 2^53, BYTES as hex, spaces-only text NULL')
})

t.test('a table read over many pages reports progress with the total from its metadata', async (t) => {
  const server = await bigQuery(t, 37)
  const rows = 2000
  server.addTable('finance', 'payments', { schema: PAYMENT_FIELDS, rows: { count: rows, row: (i) => [`P${i}`, `INV-${i}`, `${i}.${String(i % 100).padStart(2, '0')}`] } })
  const { job } = await paymentsJob(t, server.uri({ dataset: 'finance', table: 'payments' }))
  const events: RunProgress[] = []
  const done = await runJob(job, { onProgress: (p) => events.push(p), progressIntervalMs: 1 })
  t.same([done.total_right, done.matched_count], [rows, 0], 'no payment of i.xx matches an invoice of 100.00, 250.50, 99.99 or 10.00')
  // 0..1999 as whole units plus i % 100 cents, added up in integer cents independently of the engine.
  const cents = Array.from({ length: rows }, (_, i) => BigInt(i) * 100n + BigInt(i % 100)).reduce((a, b) => a + b, 0n)
  const [sum] = await readRows(done.outputs.unmatched_right, 'count(*)::INTEGER AS n, sum(paid_amount)::VARCHAR AS total, count(DISTINCT payment_id)::INTEGER AS ids', '1')
  t.same(sum, { n: rows, total: `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`, ids: rows }, 'every row once, every amount exact')
  t.equal(server.requests.filter((r) => r.path.endsWith('/data')).length, Math.ceil(rows / 37), 'every page read once')
  const staging = events.filter((e) => e.stage === 'staging' && e.source === 'payments')
  t.ok(staging.length >= 3, 'progress while the pages arrive')
})

t.test('a query source is one job, waited for and read page by page', async (t) => {
  const server = await bigQuery(t, 3)
  const sql = 'SELECT payment_id, reference_number, paid_amount FROM payments WHERE paid_amount > 50'
  server.addQuery(sql, { schema: PAYMENT_FIELDS, rows: EDGE_ROWS.slice(0, 3).map((r) => r.slice(0, 3)), pendingPolls: 2 })
  const { job } = await paymentsJob(t, server.uri({ dataset: 'finance', query: `${sql};` }))
  const done = await runJob(job)
  t.same([done.total_right, done.matched_count, done.unmatched_right_count], [3, 2, 1])
  t.same(server.requests.map((r) => `${r.method} ${r.path.replace(/job_[\w-]+/, 'JOB')}`), [
    'POST /bigquery/v2/projects/kalla-test/queries',
    'GET /bigquery/v2/projects/kalla-test/queries/JOB',
    'GET /bigquery/v2/projects/kalla-test/queries/JOB',
    'GET /bigquery/v2/projects/kalla-test/queries/JOB'
  ], 'jobs.query, two waits for the job, then the second page by its token')
})

t.test('a view is read through a query of it', async (t) => {
  const server = await bigQuery(t)
  server.addTable('finance', 'payments_view', { type: 'VIEW', schema: PAYMENT_FIELDS, rows: [] })
  server.addQuery('SELECT * FROM `kalla-test.finance.payments_view`', { schema: PAYMENT_FIELDS, rows: EDGE_ROWS.map((r) => r.slice(0, 3)) })
  const { job } = await paymentsJob(t, server.uri({ dataset: 'finance', table: 'payments_view' }))
  t.equal((await runJob(job)).total_right, 4)
})

t.test('REPEATED, RECORD and too wide BIGNUMERIC columns are refused, naming the column', async (t) => {
  const server = await bigQuery(t)
  const cases: Array<[BigQuerySchemaField, RegExp]> = [
    [{ name: 'tags', type: 'STRING', mode: 'REPEATED' }, /the column tags is a REPEATED \(array\) STRING field.*UNNEST\(tags\)/],
    [{ name: 'address', type: 'RECORD', fields: [{ name: 'city', type: 'STRING' }] }, /the column address is a RECORD \(STRUCT\) field/],
    [{ name: 'ratio', type: 'BIGNUMERIC' }, /the column ratio is declared BIGNUMERIC \(76 digits, 38 after the point\), wider than the 38 digits/],
    [{ name: 'ratio', type: 'BIGNUMERIC', precision: '40', scale: '2' }, /the column ratio is declared BIGNUMERIC\(40, 2\)/]
  ]
  for (const [i, [field, message]] of cases.entries()) {
    server.addTable('finance', `t${i}`, { schema: [...PAYMENT_FIELDS, field], rows: [] })
    const { job } = await paymentsJob(t, server.uri({ dataset: 'finance', table: `t${i}` }))
    const error = await failure(runJob(job))
    t.equal(error.code, 'ENGINE_SOURCE_TYPE_UNSUPPORTED')
    t.match(error.message, message)
  }
})

t.test('a read that fails midway fails the run cleanly; a passing fault is retried without losing or repeating rows', async (t) => {
  const server = await bigQuery(t, 10)
  server.addTable('finance', 'payments', { schema: PAYMENT_FIELDS, rows: { count: 100, row: (i) => [`P${i}`, `INV-${i}`, '1.00'] } })
  const uri = server.uri({ dataset: 'finance', table: 'payments' })
  server.fail({ afterPages: 3, status: 503, times: 1 })
  const { job: once } = await paymentsJob(t, uri)
  t.equal((await runJob(once)).total_right, 100, 'the page that failed once was asked again')
  server.fail({ afterPages: 2, status: 'reset', times: 1 })
  const { job: reset } = await paymentsJob(t, uri)
  t.equal((await runJob(reset)).total_right, 100, 'a connection dropped mid-read is asked again')

  server.fail({ afterPages: 6, status: 503 })
  const { job, dir } = await paymentsJob(t, uri)
  const workDir = join(dir, 'work')
  const error = await failure(runJob(job, { workDir }))
  t.equal(error.code, 'ENGINE_SOURCE_UNREACHABLE')
  t.match(error.message, /^payments: reading from BigQuery kalla-test\/finance failed \(Error encountered during execution/)
  t.same(await readdir(job.output_path).catch(() => []), [], 'no result file was written')
  t.same(await readdir(workDir), [], 'the partial extract is gone with the job directory')
})

t.test('a table modified while it is read fails the run rather than mix two versions', async (t) => {
  const server = await bigQuery(t, 10)
  server.addTable('finance', 'payments', { schema: PAYMENT_FIELDS, rows: { count: 50, row: (i) => [`P${i}`, `INV-${i}`, '1.00'] } })
  server.onPage = (served) => { if (served === 2) server.touch('finance', 'payments') }
  const { job } = await paymentsJob(t, server.uri({ dataset: 'finance', table: 'payments' }))
  const error = await failure(runJob(job))
  t.equal(error.code, 'ENGINE_SOURCE_CHANGED')
  t.match(error.message, /the table finance\.payments in kalla-test\/finance was modified while Kalla read it/)
})
