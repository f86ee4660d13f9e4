import t, { type Test } from 'tap'
import { bindMatchSql, isEngineError, runJob, type BindSource, type EngineErrorCode } from '../src/index.ts'
import { fileJob, INVOICES_CSV, PAYMENTS_CSV, readRows, tempDir, writeText } from './fixtures.ts'

async function files (t: Test, left = INVOICES_CSV, right = PAYMENTS_CSV): Promise<{ dir: string, left: string, right: string }> {
  const dir = await tempDir(t)
  return { dir, left: await writeText(dir, 'inv.csv', left), right: await writeText(dir, 'pay.csv', right) }
}

async function failure (promise: Promise<unknown>): Promise<{ code?: EngineErrorCode, message: string }> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  return isEngineError(error) ? { code: error.code, message: error.message } : { message: String(error) }
}

const counts = (done: { matched_count: number, matched_left: number, matched_right: number, unmatched_left_count: number, unmatched_right_count: number }): number[] =>
  [done.matched_count, done.matched_left, done.matched_right, done.unmatched_left_count, done.unmatched_right_count]

// INVOICES_CSV and PAYMENTS_CSV by hand: INV-1..3 are referenced by P1..P3, INV-4 by nothing, P4 names INV-9.
const BY_REFERENCE = [3, 3, 3, 1, 1]

t.test('rows of an outer join without the other side\'s key are not matches', async (t) => {
  const f = await files(t)
  for (const sql of [
    'SELECT i.invoice_id, p.payment_id FROM invoices i LEFT JOIN payments p ON i.invoice_id = p.reference_number',
    'SELECT i.invoice_id, p.payment_id FROM invoices i RIGHT JOIN payments p ON i.invoice_id = p.reference_number',
    'SELECT i.invoice_id, p.payment_id FROM invoices i FULL OUTER JOIN payments p ON i.invoice_id = p.reference_number',
    'WITH m AS (SELECT i.invoice_id, p.payment_id FROM payments p LEFT JOIN invoices i ON i.invoice_id = p.reference_number) SELECT * FROM m'
  ]) {
    const done = await runJob(fileJob(f.dir, f.left, f.right, { match_sql: sql }))
    t.same(counts(done), BY_REFERENCE, sql)
    t.same((await readRows(done.outputs.matched, 'invoice_id, payment_id')).map((r) => `${String(r.invoice_id)}-${String(r.payment_id)}`), ['INV-1-P1', 'INV-2-P2', 'INV-3-P3'], 'matched rows have both keys')
    t.same((await readRows(done.outputs.unmatched_left, 'invoice_id')).map((r) => r.invoice_id), ['INV-4'])
  }
})

const SHARED_LEFT = 'id,currency,amount\nINV-1,EUR,100.00\nINV-2,USD,250.50\nINV-3,EUR,99.99\nINV-4,EUR,10.00\n'
const SHARED_RIGHT = 'id,ref,currency,paid\nP1,INV-1,EUR,100.00\nP2,INV-2,EUR,250.50\nP3,INV-3,EUR,99.99\nP4,INV-9,EUR,5.00\n'
const SHARED_KEYS = { invoices: ['id'], payments: ['id'] }

t.test('columns both sides share get their source\'s alias as a prefix, and keys are found under it', async (t) => {
  const f = await files(t, SHARED_LEFT, SHARED_RIGHT)
  const prefixed = ['invoices_id', 'invoices_currency', 'amount', 'payments_id', 'ref', 'payments_currency', 'paid']
  for (const [sql, columns] of [
    ['SELECT i.*, p.* FROM invoices i JOIN payments p ON p.ref = i.id AND i.currency = p.currency', prefixed],
    ['SELECT * FROM invoices i JOIN payments p ON p.ref = i.id AND i.currency = p.currency', prefixed],
    ['SELECT i.id, p.id, i.currency, p.currency FROM invoices JOIN payments ON payments.ref = invoices.id AND invoices.currency = payments.currency'.replaceAll(/\b([ip])\./g, (_, a: string) => a === 'i' ? 'invoices.' : 'payments.'), ['invoices_id', 'payments_id', 'invoices_currency', 'payments_currency']],
    ['SELECT p.*, i.id, i.currency FROM invoices i JOIN payments p ON p.ref = i.id AND i.currency = p.currency', ['payments_id', 'ref', 'payments_currency', 'paid', 'invoices_id', 'invoices_currency']]
  ] as const) {
    const done = await runJob(fileJob(f.dir, f.left, f.right, { match_sql: sql, primary_keys: SHARED_KEYS }))
    t.same(counts(done), [2, 2, 2, 2, 2], sql)
    const rows = await readRows(done.outputs.matched, '*', 'invoices_id')
    t.same(Object.keys(rows[0] ?? {}), columns, `${sql}: output columns`)
    t.same(rows.map((r) => `${String(r.invoices_id)}-${String(r.payments_id)}`), ['INV-1-P1', 'INV-3-P3'])
  }
})

t.test('binding names repeated columns as the run does', async (t) => {
  const invoices: BindSource = { alias: 'invoices', keys: ['id'], columns: [{ name: 'id', type: 'VARCHAR' }, { name: 'currency', type: 'VARCHAR' }, { name: 'amount', type: 'DECIMAL(18,2)' }] }
  const payments: BindSource = { alias: 'payments', keys: ['id'], columns: [{ name: 'id', type: 'VARCHAR' }, { name: 'ref', type: 'VARCHAR' }, { name: 'currency', type: 'VARCHAR' }] }
  const bound = await bindMatchSql('SELECT i.*, p.* FROM invoices i JOIN payments p ON p.ref = i.id', invoices, payments)
  t.same(bound.problems, [])
  t.same(bound.output?.map((c) => c.name), ['invoices_id', 'invoices_currency', 'amount', 'payments_id', 'ref', 'payments_currency'])
  const untyped = await bindMatchSql('SELECT i.*, p.* FROM invoices i JOIN payments p ON p.ref = i.id', { ...invoices, columns: invoices.columns.map((c) => ({ name: c.name })) }, { ...payments, columns: payments.columns.map((c) => ({ name: c.name })) })
  t.same(untyped.problems, [], 'the same without types')
})

t.test('a computed column that repeats a name is still refused: there is no source to name it after', async (t) => {
  const f = await files(t, SHARED_LEFT, SHARED_RIGHT)
  const result = await failure(runJob(fileJob(f.dir, f.left, f.right, { match_sql: "SELECT i.id AS invoices_id, p.id AS payments_id, i.currency, 'x' AS currency FROM invoices i JOIN payments p ON p.ref = i.id", primary_keys: SHARED_KEYS })))
  t.equal(result.code, 'ENGINE_MATCH_COLUMNS_REPEATED')
})

const A = 'b_id,amount\nB1,10.00\nB2,20.00\nB3,30.00\n'
const A_B = 'id,ref\n1,B1\n2,B1\n3,B9\n'

t.test('a key column that two sources\' naming rules both claim is refused, at run and at binding', async (t) => {
  const f = await files(t, A, A_B)
  const sources = [{ alias: 'a' }, { alias: 'a_b' }]
  const keys = { a: ['b_id'], a_b: ['id'] }
  for (const sql of ['SELECT a.b_id, a_b.id AS a_b_id FROM a JOIN a_b ON a_b.ref = a.b_id', 'SELECT a.b_id AS a_b_id, a_b.id FROM a JOIN a_b ON a_b.ref = a.b_id']) {
    const result = await failure(runJob(fileJob(f.dir, f.left, f.right, { match_sql: sql, primary_keys: keys }, sources)))
    t.equal(result.code, 'ENGINE_MATCH_KEYS_AMBIGUOUS', sql)
    t.match(result.message, /a_b_id.*a.*b_id.*a_b.*id/)
    const bound = await bindMatchSql(sql, { alias: 'a', keys: ['b_id'], columns: [{ name: 'b_id', type: 'VARCHAR' }, { name: 'amount', type: 'DECIMAL(18,2)' }] }, { alias: 'a_b', keys: ['id'], columns: [{ name: 'id', type: 'BIGINT' }, { name: 'ref', type: 'VARCHAR' }] })
    t.same(bound.problems.map((p) => p.code), ['ENGINE_MATCH_KEYS_AMBIGUOUS'], `binding: ${sql}`)
  }
  const done = await runJob(fileJob(f.dir, f.left, f.right, { match_sql: 'SELECT a.b_id, a_b.id FROM a JOIN a_b ON a_b.ref = a.b_id', primary_keys: keys }, sources))
  t.same(counts(done), [2, 1, 2, 2, 1], 'without the ambiguous name the keys are told apart')
})
