import t from 'tap'
import { bindMatchSql, type BindSource } from '../src/index.ts'

const invoices: BindSource = { alias: 'invoices', keys: ['invoice_id'], columns: [{ name: 'invoice_id', type: 'VARCHAR' }, { name: 'amount', type: 'DECIMAL(18,2)' }, { name: 'invoice_date', type: 'DATE' }] }
const payments: BindSource = { alias: 'payments', keys: ['payment_id'], columns: [{ name: 'payment_id', type: 'VARCHAR' }, { name: 'reference_number', type: 'VARCHAR' }, { name: 'paid_amount', type: 'DECIMAL(18,2)' }] }
const untyped = (source: BindSource): BindSource => ({ ...source, columns: source.columns.map((c) => ({ name: c.name })) })
const codes = (problems: { code: string }[]): string[] => problems.map((p) => p.code)

t.test('SQL that fits both sources binds with no problems and gives its output columns', async (t) => {
  const bound = await bindMatchSql('SELECT i.invoice_id, p.payment_id, i.amount FROM invoices i JOIN payments p ON p.reference_number = i.invoice_id AND tolerance_match(i.amount, p.paid_amount, 0.02);', invoices, payments)
  t.same(bound.problems, [])
  t.same(bound.output, [{ name: 'invoice_id', type: 'VARCHAR' }, { name: 'payment_id', type: 'VARCHAR' }, { name: 'amount', type: 'DECIMAL(18,2)' }])
})

t.test('every unknown column is reported at once, each with the nearest column as a did-you-mean', async (t) => {
  const bound = await bindMatchSql('SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON p.refernce_number = i.invoice_id AND tolerance_match(i.amount, p.paid_amuont, 0.02) WHERE invoce_date > DATE \'2024-01-01\'', invoices, payments)
  t.same(codes(bound.problems), ['ENGINE_SQL_UNKNOWN_COLUMN', 'ENGINE_SQL_UNKNOWN_COLUMN', 'ENGINE_SQL_UNKNOWN_COLUMN'])
  t.same(bound.problems.map((p) => p.path), ['/match_sql', '/match_sql', '/match_sql'])
  const messages = bound.problems.map((p) => p.message).join('\n')
  t.match(messages, /"refernce_number" \(p\.refernce_number\), which payments does not have\. Did you mean "reference_number"\?/)
  t.match(messages, /"paid_amuont".*Did you mean "paid_amount"\?/)
  t.match(messages, /"invoce_date", which neither invoices nor payments has\. Did you mean "invoice_date" \(invoices\)\?/)
})

t.test('an output without a key column, and an unknown column, are reported together', async (t) => {
  const bound = await bindMatchSql('SELECT i.invoice_id, i.customer FROM invoices i JOIN payments p ON p.reference_number = i.invoice_id', invoices, payments)
  t.same(codes(bound.problems), ['ENGINE_SQL_UNKNOWN_COLUMN', 'ENGINE_MATCH_KEYS_MISSING'])
  t.match(bound.problems[1]?.message, /payments primary key payment_id/)
})

t.test('type mismatches are reported when every type is known, and not guessed when none is', async (t) => {
  const sql = 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON p.reference_number = i.invoice_id AND i.invoice_date + p.paid_amount > 0'
  const typed = await bindMatchSql(sql, invoices, payments)
  t.same(codes(typed.problems), ['ENGINE_SQL_TYPE_MISMATCH'])
  const guessed = await bindMatchSql(sql, untyped(invoices), untyped(payments))
  t.same(guessed.problems, [], 'a file schema has no types, so no type error can be claimed')
})

t.test('parse problems come first and stop the binding', async (t) => {
  const bound = await bindMatchSql('SELECT * FROM invoices i JOIN bank b ON true', invoices, payments)
  t.same(codes(bound.problems), ['ENGINE_SQL_UNKNOWN_TABLE', 'ENGINE_SQL_SOURCE_UNUSED'])
  t.same(codes((await bindMatchSql('SELEC 1', invoices, payments)).problems), ['ENGINE_SQL_SYNTAX'])
})
