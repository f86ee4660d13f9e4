import t from 'tap'
import { outputKeys, sideColumns, sideRecords, unionRows, type GroupSide } from '../src/group.ts'

// A split group: one invoice paid in three parts, as matched rows name it.
const left: GroupSide = { alias: 'invoices', keys: ['invoice_id'], columns: ['invoice_id', 'customer', 'amount', 'currency'] }
const right: GroupSide = { alias: 'payments', keys: ['payment_id'], columns: ['payment_id', 'reference_number', 'paid_amount', 'currency'] }
const output = ['invoice_id', 'payment_id', 'customer', 'paid_amount', 'invoices_currency', 'payments_currency', 'left_total', 'gap']
const rows = ['P1', 'P2', 'P3'].map((p, i) => ({ invoice_id: 'INV-1', payment_id: p, customer: 'C1', paid_amount: `${i + 1}0.00`, invoices_currency: 'EUR', payments_currency: 'EUR', left_total: '60.00', gap: '0.00' }))

t.test('the key columns follow the engine: <alias>_<key> first, a shared key name only with its prefix', async (t) => {
  t.same(outputKeys(output, left, right), ['invoice_id'])
  t.same(outputKeys(['ID', 'payments_id'], { ...left, keys: ['id'] }, { ...right, keys: ['id'] }), undefined, 'a bare id could be either side')
  t.same(outputKeys(['invoices_ID', 'payments_id'], { ...left, keys: ['id'] }, { ...right, keys: ['id'] }), ['invoices_ID'])
})

t.test('a split group is one left record against three right records, each with its side\'s columns', async (t) => {
  const split = sideColumns(output, left, right, { left: ['invoice_id'], right: ['payment_id'] })
  t.same(split, { left: ['invoice_id', 'customer', 'invoices_currency', 'left_total'], right: ['payment_id', 'paid_amount', 'payments_currency'] }, 'gap was computed: neither side')
  const group = unionRows(rows.slice(0, 3), rows.slice(1, 2))
  t.equal(group.length, 3, 'a row found by both keys is kept once')
  t.same(sideRecords(group, ['invoice_id'], split.left), [{ invoice_id: 'INV-1', customer: 'C1', invoices_currency: 'EUR', left_total: '60.00' }])
  t.same(sideRecords(group, ['payment_id'], split.right).map((r) => r.payment_id), ['P1', 'P2', 'P3'])
})
