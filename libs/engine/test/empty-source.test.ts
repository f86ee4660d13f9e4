import t from 'tap'
import { isEngineError, runJob } from '../src/index.ts'
import { fileJob, INVOICES_CSV, PAYMENTS_CSV, readRows, tempDir, writeText } from './fixtures.ts'

// A file with a header and no records is a source with nothing in it (a month without payments): the run
// succeeds and every record of the other side is unmatched.
const PAYMENTS_HEADER = PAYMENTS_CSV.split('\n')[0]! + '\n'
const INVOICES_HEADER = INVOICES_CSV.split('\n')[0]! + '\n'

/** The first field of each record of a CSV text: its key, read without the engine. */
function keysOf (csv: string): string[] {
  return csv.trim().split('\n').slice(1).map((line) => line.split(',')[0]!).sort()
}

t.test('a header-only payments file: the run completes with every invoice unmatched', async (t) => {
  const dir = await tempDir(t)
  const done = await runJob(fileJob(dir, await writeText(dir, 'inv.csv', INVOICES_CSV), await writeText(dir, 'pay.csv', PAYMENTS_HEADER)))
  const invoices = keysOf(INVOICES_CSV)
  t.same([done.total_left, done.total_right, done.matched_count], [invoices.length, 0, 0])
  t.same([done.unmatched_left_count, done.unmatched_right_count], [invoices.length, 0])
  t.same((await readRows(done.outputs.unmatched_left, 'invoice_id')).map((r) => r.invoice_id), invoices)
  t.same(await readRows(done.outputs.matched), [])
  t.same(await readRows(done.outputs.unmatched_right), [])
  const payments = done.sources.find((s) => s.alias === 'payments')
  t.same(payments?.columns.map((c) => c.name), PAYMENTS_HEADER.trim().split(','), 'the empty source keeps its columns')
})

t.test('a header-only invoices file on the left, without a trailing newline: every payment unmatched', async (t) => {
  const dir = await tempDir(t)
  const done = await runJob(fileJob(dir, await writeText(dir, 'inv.csv', INVOICES_HEADER.trim()), await writeText(dir, 'pay.csv', PAYMENTS_CSV)))
  const payments = keysOf(PAYMENTS_CSV)
  t.same([done.total_left, done.total_right, done.matched_count, done.unmatched_right_count], [0, payments.length, 0, payments.length])
  t.same((await readRows(done.outputs.unmatched_right, 'payment_id')).map((r) => r.payment_id), payments)
})

t.test('both sides header-only: a run with nothing matched and nothing unmatched', async (t) => {
  const dir = await tempDir(t)
  const done = await runJob(fileJob(dir, await writeText(dir, 'inv.csv', INVOICES_HEADER), await writeText(dir, 'pay.csv', PAYMENTS_HEADER)))
  t.same([done.total_left, done.total_right, done.matched_count, done.unmatched_left_count, done.unmatched_right_count], [0, 0, 0, 0, 0])
})

t.test('an empty source still refuses match SQL naming a column it does not have', async (t) => {
  const dir = await tempDir(t)
  const job = fileJob(dir, await writeText(dir, 'inv.csv', INVOICES_CSV), await writeText(dir, 'pay.csv', PAYMENTS_HEADER), {
    match_sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON i.invoice_id = p.no_such_column'
  })
  const error = await runJob(job).then(() => undefined, (e: unknown) => e)
  t.equal(isEngineError(error) ? error.code : error, 'ENGINE_SQL_INVALID')
  t.match((error as Error).message, /no_such_column/)
})

t.test('a column typed by the recipe is read as a number in an empty source too', async (t) => {
  const dir = await tempDir(t)
  const job = fileJob(dir, await writeText(dir, 'inv.csv', INVOICES_CSV), await writeText(dir, 'pay.csv', PAYMENTS_HEADER), {}, [{}, { options: { columns: { paid_amount: { type: 'decimal' } } } }])
  const done = await runJob(job)
  t.equal(done.unmatched_left_count, keysOf(INVOICES_CSV).length)
  const paid = done.sources.find((s) => s.alias === 'payments')?.columns.find((c) => c.name === 'paid_amount')
  t.equal(paid?.typed, 'option')
  t.match(paid?.type, /^(BIGINT|DECIMAL)/, 'a number, not text')
})
