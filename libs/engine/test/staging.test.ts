import { readFile } from 'node:fs/promises'
import t, { type Test } from 'tap'
import { runJob, isEngineError } from '../src/index.ts'
import { fileJob, INVOICES_CSV, PAYMENTS_CSV, readRows, scratchSql, tempDir, writeText } from './fixtures.ts'

async function failure (promise: Promise<unknown>): Promise<{ code: string, message: string, stage: string }> {
  try {
    await promise
  } catch (error) {
    if (isEngineError(error)) return { code: error.code, message: error.message, stage: error.stage }
    throw error
  }
  throw new Error('expected the run to fail')
}

async function staged (t: Test, left: string, leftName = 'inv.csv'): Promise<Record<string, string>> {
  const dir = await tempDir(t)
  const job = fileJob(dir, await writeText(dir, leftName, left), await writeText(dir, 'pay.csv', PAYMENTS_CSV), {
    match_sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON i.invoice_id = p.reference_number'
  })
  await runJob(job)
  const summary = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(`${dir}/out/summary.json`, 'utf8')))
  return Object.fromEntries(summary.sources[0].columns.map((c: { name: string, type: string }) => [c.name, c.type]))
}

t.test('CSV numbers are typed exactly: decimals as DECIMAL, zero-padded codes as text', async (t) => {
  const types = await staged(t, 'invoice_id,account,amount,big,ratio,qty\n00017,00042,100.10,123456789012345678901,1e-3,7\n00018,00043,2.5,1,2.5e2,8\n')
  t.equal(types.invoice_id, 'VARCHAR', 'leading zeros survive')
  t.equal(types.account, 'VARCHAR')
  t.equal(types.amount, 'DECIMAL(18,2)')
  t.equal(types.big, 'DECIMAL(38,0)', 'beyond 64-bit stays exact')
  t.equal(types.ratio, 'DOUBLE', 'scientific notation stays floating point')
  t.equal(types.qty, 'BIGINT')
})

t.test('CSV amounts arrive in the results unchanged, to the cent', async (t) => {
  const dir = await tempDir(t)
  const job = fileJob(dir, await writeText(dir, 'inv.csv', INVOICES_CSV), await writeText(dir, 'pay.csv', PAYMENTS_CSV))
  const done = await runJob(job)
  const rows = await readRows(done.outputs.matched, 'invoice_id, amount::VARCHAR AS amount, paid_amount::VARCHAR AS paid', 'invoice_id')
  t.same(rows, [{ invoice_id: 'INV-1', amount: '100.00', paid: '100.02' }, { invoice_id: 'INV-3', amount: '99.99', paid: '99.99' }])
})

t.test('JSON and NDJSON numbers are exact decimals too', async (t) => {
  const dir = await tempDir(t)
  const left = await writeText(dir, 'inv.ndjson', '{"invoice_id":"INV-1","amount":100.00}\n{"invoice_id":"INV-2","amount":0.1}\n{"invoice_id":"INV-3","amount":250.5}\n')
  const right = await writeText(dir, 'pay.json', '[{"payment_id":"P1","reference_number":"INV-1","paid_amount":100.02},{"payment_id":"P2","reference_number":"INV-2","paid_amount":0.12}]')
  const done = await runJob(fileJob(dir, left, right))
  t.equal(done.matched_count, 2, '100.00~100.02 and 0.1~0.12 match at 0.02 exactly')
  t.equal(done.unmatched_left_count, 1)
})

t.test('Parquet keeps its own types', async (t) => {
  const dir = await tempDir(t)
  await scratchSql(`COPY (SELECT 'INV-' || i AS invoice_id, (i * 10.01)::DECIMAL(12,2) AS amount FROM range(1, 4) t(i)) TO '${dir}/inv.parquet' (FORMAT parquet)`)
  const right = await writeText(dir, 'pay.csv', 'payment_id,reference_number,paid_amount\nP1,INV-1,10.01\nP2,INV-2,20.05\n')
  const done = await runJob(fileJob(dir, `${dir}/inv.parquet`, right))
  t.equal(done.matched_count, 1)
  t.equal(done.total_left, 3)
})

t.test('a file without an extension is recognised by its contents', async (t) => {
  const dir = await tempDir(t)
  const done = await runJob(fileJob(dir, await writeText(dir, 'upload-1', INVOICES_CSV), await writeText(dir, 'upload-2', PAYMENTS_CSV)))
  t.equal(done.matched_count, 2)
})

t.test('a file missing recipe columns names them and the columns it has', async (t) => {
  const dir = await tempDir(t)
  const job = fileJob(dir, await writeText(dir, 'inv.csv', INVOICES_CSV), await writeText(dir, 'bank.csv', PAYMENTS_CSV), {}, [{}, { schema: ['payment_id', 'paid_amount', 'value_date', 'iban'] }])
  const error = await failure(runJob(job))
  t.equal(error.code, 'ENGINE_MISSING_COLUMNS')
  t.equal(error.stage, 'staging')
  t.match(error.message, /payments: bank\.csv is missing the columns value_date, iban/)
  t.match(error.message, /reference_number/)
})

t.test('an empty file, a missing file and an unknown format are coded errors', async (t) => {
  const dir = await tempDir(t)
  const pay = await writeText(dir, 'pay.csv', PAYMENTS_CSV)
  t.equal((await failure(runJob(fileJob(dir, await writeText(dir, 'empty.csv', ''), pay)))).code, 'ENGINE_FILE_EMPTY')
  t.equal((await failure(runJob(fileJob(dir, `${dir}/nope.csv`, pay)))).code, 'ENGINE_FILE_NOT_FOUND')
  t.equal((await failure(runJob(fileJob(dir, await writeText(dir, 'blob', 'just words without structure'), pay)))).code, 'ENGINE_FILE_FORMAT_UNSUPPORTED')
})

t.test('a missing second file is reported before the first is read, and a folder is not a file', async (t) => {
  const dir = await tempDir(t)
  const bad = await writeText(dir, 'inv.csv', INVOICES_CSV + 'INV-5,C5,1.00,2024-01-05,extra,fields\n')
  const reported: string[] = []
  const error = await failure(runJob(fileJob(dir, bad, `${dir}/bank.csv`), { onProgress: (p) => { if (p.source !== undefined) reported.push(p.source) } }))
  t.equal(error.code, 'ENGINE_FILE_NOT_FOUND', 'not the malformed first file')
  t.match(error.message, /payments: the file bank\.csv does not exist/)
  t.same(reported, [], 'no source was staged')
  const folder = await failure(runJob(fileJob(dir, dir, bad)))
  t.equal(folder.code, 'ENGINE_FILE_NOT_FOUND')
  t.match(folder.message, /is a folder, not a file/)
})

t.test('a CSV line with more fields than the header is reported with its line number', async (t) => {
  const dir = await tempDir(t)
  const bad = await writeText(dir, 'inv.csv', INVOICES_CSV + 'INV-5,C5,1.00,2024-01-05,extra,fields\n')
  const error = await failure(runJob(fileJob(dir, bad, await writeText(dir, 'pay.csv', PAYMENTS_CSV))))
  t.equal(error.code, 'ENGINE_CSV_RAGGED')
  t.match(error.message, /invoices: inv\.csv line 6 has more fields than the header \(line 1\), which has 4/)
})

// A column is typed from every value: one that is not a date after 30,000 dates leaves the column text
// (as a reference column of digits and then INV-10001 stays text); a recipe that says the column is a
// date gets the line of the value that is not.
t.test('a value that breaks its column type later in a file keeps it text, or is reported with its line when the recipe sets the type', async (t) => {
  const dir = await tempDir(t)
  let csv = 'invoice_id,invoice_date\n'
  for (let i = 0; i < 30000; i++) csv += `INV-${i},2024-01-01\n`
  csv += 'INV-X,not a date\n'
  const inv = await writeText(dir, 'inv.csv', csv)
  const pay = await writeText(dir, 'pay.csv', PAYMENTS_CSV)
  const match = { match_sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON i.invoice_id = p.reference_number' }
  const done = await runJob(fileJob(dir, inv, pay, match))
  const summary = JSON.parse(await readFile(done.outputs.summary, 'utf8'))
  t.equal(summary.sources[0].columns[1].type, 'VARCHAR')
  const error = await failure(runJob(fileJob(dir, inv, pay, match, [{ options: { columns: { invoice_date: { type: 'date' } } } }, {}])))
  t.equal(error.code, 'ENGINE_COLUMN_VALUES_INVALID')
  t.match(error.message, /invoices: inv\.csv, column invoice_date: 1 value is not a date written like 2026-01-31 \(first at line 30,002: `not a date`\)/)
})
