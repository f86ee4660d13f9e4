import t, { type Test } from 'tap'
import { isEngineError, runJob, type EngineErrorCode } from '../src/index.ts'
import { fileJob, INVOICES_CSV, PAYMENTS_CSV, readRows, tempDir, writeText } from './fixtures.ts'

async function failWith (t: Test, promise: Promise<unknown>, code: EngineErrorCode): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  t.ok(isEngineError(error), 'fails with a coded engine error')
  t.equal(isEngineError(error) ? error.code : error, code)
  return isEngineError(error) ? error.message : ''
}

async function files (t: Test, left = INVOICES_CSV, right = PAYMENTS_CSV): Promise<{ dir: string, left: string, right: string }> {
  const dir = await tempDir(t)
  return { dir, left: await writeText(dir, 'inv.csv', left), right: await writeText(dir, 'pay.csv', right) }
}

t.test('repeated primary keys are refused with examples and counts', async (t) => {
  const f = await files(t, INVOICES_CSV, PAYMENTS_CSV + 'P1,INV-4,10.00,2024-01-09\nP1,INV-4,10.00,2024-01-09\nP2,INV-4,1.00,2024-01-09\n')
  const message = await failWith(t, runJob(fileJob(f.dir, f.left, f.right)), 'ENGINE_DUPLICATE_KEY')
  t.match(message, /payments has 2 payment_id value\(s\) that appear more than once, e\.g\. P1 \(3 times\), P2 \(2 times\)/)
})

t.test('empty primary keys are refused, naming the records', async (t) => {
  const f = await files(t, INVOICES_CSV + ',C9,1.00,2024-01-09\n')
  const message = await failWith(t, runJob(fileJob(f.dir, f.left, f.right)), 'ENGINE_NULL_KEY')
  t.match(message, /invoices has 1 record\(s\) with an empty invoice_id \(record number 5\)/)
})

t.test('a primary key column the source lacks is named', async (t) => {
  const f = await files(t)
  const job = fileJob(f.dir, f.left, f.right, { primary_keys: { invoices: ['invoice_no'], payments: ['payment_id'] } })
  t.match(await failWith(t, runJob(job), 'ENGINE_MISSING_COLUMNS'), /invoices has no primary key column invoice_no/)
})

t.test('matched output without a side\'s key says which column to add', async (t) => {
  const f = await files(t)
  const job = fileJob(f.dir, f.left, f.right, { match_sql: 'SELECT i.invoice_id, p.reference_number FROM invoices i JOIN payments p ON i.invoice_id = p.reference_number' })
  t.match(await failWith(t, runJob(job), 'ENGINE_MATCH_KEYS_MISSING'), /must return the payments primary key .* add payment_id \(or payments_payment_id\)/)
})

t.test('keys with one name on both sides are told apart by the alias prefix', async (t) => {
  const f = await files(t, INVOICES_CSV.replace('invoice_id', 'id'), PAYMENTS_CSV.replace('payment_id', 'id'))
  const keys = { invoices: ['id'], payments: ['id'] }
  const repeated = await runJob(fileJob(f.dir, f.left, f.right, { primary_keys: keys, match_sql: 'SELECT i.id, p.id FROM invoices i JOIN payments p ON i.id = p.reference_number' }))
  t.same([repeated.matched_count, repeated.unmatched_left_count, repeated.unmatched_right_count], [3, 1, 1], 'a repeated key gets its alias as prefix')
  const half = fileJob(f.dir, f.left, f.right, { primary_keys: keys, match_sql: 'SELECT i.id FROM invoices i JOIN payments p ON i.id = p.reference_number' })
  t.match(await failWith(t, runJob(half), 'ENGINE_MATCH_KEYS_MISSING'), /add invoices_id/)
  const named = fileJob(f.dir, f.left, f.right, { primary_keys: keys, match_sql: 'SELECT i.id AS invoices_id, p.id AS payments_id FROM invoices i JOIN payments p ON i.id = p.reference_number' })
  const done = await runJob(named)
  t.same([done.matched_count, done.unmatched_left_count, done.unmatched_right_count], [3, 1, 1])
})

t.test('composite keys work across columns', async (t) => {
  const f = await files(t,
    'company,invoice_no,amount\nA,1,10.00\nA,2,20.00\nB,1,30.00\n',
    'company,invoice_no,payment_no,paid\nA,1,1,10.00\nB,1,1,30.00\nB,1,2,30.00\n')
  const job = fileJob(f.dir, f.left, f.right, {
    primary_keys: { invoices: ['company', 'invoice_no'], payments: ['company', 'payment_no', 'invoice_no'] },
    match_sql: 'SELECT i.company AS invoices_company, i.invoice_no AS invoices_invoice_no, p.company AS payments_company, p.invoice_no AS payments_invoice_no, p.payment_no FROM invoices i JOIN payments p USING (company, invoice_no) WHERE p.payment_no = 1'
  })
  const done = await runJob(job)
  t.same([done.matched_count, done.matched_left, done.matched_right, done.unmatched_left_count, done.unmatched_right_count], [2, 2, 2, 1, 1])
  t.same(await readRows(done.outputs.unmatched_right, 'company, payment_no'), [{ company: 'B', payment_no: '2' }])
})

t.test('SQL that binds to a missing column or wrong types fails before any matching work', async (t) => {
  const f = await files(t)
  const job = fileJob(f.dir, f.left, f.right, { match_sql: 'SELECT i.invoice_id, p.payment_id, p.iban FROM invoices i JOIN payments p ON i.invoice_id = p.reference_number' })
  t.match(await failWith(t, runJob(job), 'ENGINE_SQL_INVALID'), /iban/)
})
