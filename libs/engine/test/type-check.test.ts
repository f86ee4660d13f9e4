import t, { type Test } from 'tap'
import { bindMatchSql, isEngineError, runJob, type BindSource, type EngineError } from '../src/index.ts'
import { fileJob, tempDir, writeText } from './fixtures.ts'

// Staged types: invoice_no keeps its leading zeros as text, reference is a number, paid_text has a non-number.
const INVOICES = 'invoice_id,invoice_no,amount\nINV-123,00123,100.00\nINV-124,00124,250.50\n'
const PAYMENTS = 'payment_id,reference,paid_amount,paid_text\nP1,123,100.00,100.00\nP2,124,250.50,n/a\n'
const DUCKDB_WORDING = /Candidate functions|LINE \d|\^|Binder Error|explicit cast is required|INT64|VARCHAR|DECIMAL\(/

async function failure (t: Test, sql: string): Promise<EngineError | undefined> {
  const dir = await tempDir(t)
  const job = fileJob(dir, await writeText(dir, 'inv.csv', INVOICES), await writeText(dir, 'pay.csv', PAYMENTS), { match_sql: sql })
  const error = await runJob(job).then(() => undefined, (e: unknown) => e)
  t.ok(isEngineError(error), `${sql} fails with a coded error`)
  return isEngineError(error) ? error : undefined
}

t.test('keys typed text on one side and number on the other are refused, never cast silently', async (t) => {
  for (const sql of [
    'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON i.invoice_no = p.reference',
    'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON p.reference = i.invoice_no',
    'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON p.reference = i.invoice_id',
    'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON i.invoice_id IN (p.reference)',
    'WITH refs AS (SELECT payment_id, reference AS r FROM payments) SELECT i.invoice_id, refs.payment_id FROM invoices i JOIN refs ON refs.r = i.invoice_no'
  ]) {
    const error = await failure(t, sql)
    t.equal(error?.code, 'ENGINE_SQL_TYPE_MISMATCH', sql)
    t.match(error?.message, /compares invoices\.invoice_(no|id) \(text\) with (payments\.reference|refs\.r) \(number\): set the column's type in the recipe or cast it/, sql)
    t.notMatch(error?.message, DUCKDB_WORDING)
  }
})

t.test('comparing as text after an explicit cast runs, and leading zeros then count', async (t) => {
  const dir = await tempDir(t)
  const job = fileJob(dir, await writeText(dir, 'inv.csv', INVOICES), await writeText(dir, 'pay.csv', PAYMENTS), { match_sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON i.invoice_no = CAST(p.reference AS VARCHAR)' })
  const done = await runJob(job)
  t.equal(done.matched_count, 0, '00123 is not 123 as text')
})

t.test('a binder error at run time names the columns and shows none of DuckDB\'s wording; the detail is the cause', async (t) => {
  const cases = [
    { sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON tolerance_match(i.amount, p.paid_text, 0.02)', code: 'ENGINE_SQL_TYPE_MISMATCH', message: /payments\.paid_text \(text\).*invoices\.amount \(number\)|invoices\.amount \(number\).*payments\.paid_text \(text\)/ },
    { sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON p.paid_text BETWEEN i.amount - 1 AND i.amount + 1', code: 'ENGINE_SQL_TYPE_MISMATCH', message: /payments\.paid_text \(text\)/ },
    { sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON p.paid_text + i.amount > 0', code: 'ENGINE_SQL_TYPE_MISMATCH', message: /combines payments\.paid_text \(text\) and invoices\.amount \(number\) in \+/ },
    { sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON fuzzy_match(i.invoice_id, p.payment_id)', code: 'ENGINE_SQL_INVALID', message: /fuzzy_match/ },
    { sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON upper(p.paid_amount) = i.invoice_id', code: 'ENGINE_SQL_TYPE_MISMATCH', message: /upper.*payments\.paid_amount \(number\)/ }
  ]
  for (const c of cases) {
    const error = await failure(t, c.sql)
    t.equal(error?.code, c.code, c.sql)
    t.match(error?.message, c.message, c.sql)
    t.notMatch(error?.message, DUCKDB_WORDING, `${c.sql}: no DuckDB wording`)
    t.match(String((error?.cause as Error | undefined)?.message), /\S/, 'the full detail is kept as the cause, for the log')
  }
})

const invoices: BindSource = { alias: 'invoices', keys: ['invoice_id'], columns: [{ name: 'invoice_id', type: 'VARCHAR' }, { name: 'invoice_no', type: 'BIGINT' }, { name: 'amount', type: 'DECIMAL(18,2)' }] }
const payments: BindSource = { alias: 'payments', keys: ['payment_id'], columns: [{ name: 'payment_id', type: 'VARCHAR' }, { name: 'reference', type: 'VARCHAR' }, { name: 'Amount', type: 'VARCHAR' }] }

t.test('binding finds type problems before any data is read, in the same words', async (t) => {
  const one = await bindMatchSql('SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON p.reference = i.invoice_no', invoices, payments)
  t.same(one.problems.map((p) => p.code), ['ENGINE_SQL_TYPE_MISMATCH'])
  t.match(one.problems[0]?.message, /compares payments\.reference \(text\) with invoices\.invoice_no \(number\): set the column's type in the recipe or cast it/)
  const two = await bindMatchSql('SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON tolerance_match(i.amount, p.Amount, 0.02)', invoices, payments)
  t.same(two.problems.map((p) => p.code), ['ENGINE_SQL_TYPE_MISMATCH'])
  t.match(two.problems[0]?.message, /payments\.Amount \(text\).*invoices\.amount \(number\)|invoices\.amount \(number\).*payments\.Amount \(text\)/)
  const both = await bindMatchSql('SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON p.reference = i.invoice_no AND p.Amount = i.amount', invoices, payments)
  t.same(both.problems.map((p) => p.code), ['ENGINE_SQL_TYPE_MISMATCH', 'ENGINE_SQL_TYPE_MISMATCH'], 'every implicit cast is reported at once')
  const unknown = await bindMatchSql('SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON fuzzy_match(i.invoice_id, p.reference)', invoices, payments)
  t.same(unknown.problems.map((p) => p.code), ['ENGINE_SQL_INVALID'])
  for (const p of [...one.problems, ...two.problems, ...both.problems, ...unknown.problems]) t.notMatch(p.message, DUCKDB_WORDING)
})
