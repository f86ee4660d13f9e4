import { join } from 'node:path'
import t from 'tap'
import { generateDataset } from '../src/index.ts'
import { cents, csvRows, daysBetween } from './csv-rows.ts'
import { tempDir } from './temp-dir.ts'

type Row = Record<string, string>

/** Reads the generated files back and sorts every invoice and payment into the pattern it shows. */
async function classify (dir: string) {
  const invoices = await csvRows(join(dir, 'invoices.csv'))
  const payments = await csvRows(join(dir, 'payments.csv'))
  const byReference = groupBy(payments, (p) => p.reference_number ?? '')
  const seen = new Map<string, number>()
  const note = (what: string): void => { seen.set(what, (seen.get(what) ?? 0) + 1) }
  const problems: string[] = []
  for (const invoice of invoices) {
    if (invoice.customer_id?.startsWith('X-') === true || invoice.batch_ref !== '') continue
    const paid = byReference.get(invoice.invoice_id ?? '') ?? []
    if (paid.length === 0) note('orphan invoice')
    else if (paid.length === 1) oneToOne(invoice, paid[0] ?? {}, note, problems)
    else split(invoice, paid, note, problems)
  }
  for (const [ref, batch] of groupBy(invoices.filter((i) => i.batch_ref !== ''), (i) => i.batch_ref ?? '')) {
    settled('batch', batch, byReference.get(ref) ?? [], [2, 5], [1, 1], note, problems)
  }
  const crossPayments = groupBy(payments.filter((p) => p.customer_id?.startsWith('X-')), cell)
  for (const [key, group] of groupBy(invoices.filter((i) => i.customer_id?.startsWith('X-')), cell)) {
    settled('cross', group, crossPayments.get(key) ?? [], [2, 4], [1, 3], note, problems)
    crossPayments.delete(key)
  }
  if (crossPayments.size > 0) problems.push(`${crossPayments.size} cross payment groups have no invoices`)
  const ids = new Set(invoices.map((i) => i.invoice_id))
  for (const p of payments.filter((p) => p.customer_id?.startsWith('C-'))) {
    if (p.reference_number === '') note('orphan payment, no reference')
    else if (/^INV-9\d{6}$/.test(p.reference_number ?? '') && !ids.has(p.reference_number)) note('orphan payment, unknown reference')
  }
  return { seen, problems, invoices, payments }
}

function oneToOne (invoice: Row, payment: Row, note: (what: string) => void, problems: string[]): void {
  const diff = Math.abs(cents(payment.paid_amount) - cents(invoice.amount))
  const days = daysBetween(invoice.invoice_date, payment.payment_date)
  if (diff === 0 && days >= 0 && days <= 30) note(days === 30 ? 'exact, paid on day 30' : 'exact')
  else if (diff === 0 && days >= 31 && days <= 60) note(days === 31 ? 'late, paid on day 31' : 'late')
  else if (diff >= 1 && diff <= 2 && days >= 0 && days <= 30) note(diff === 2 ? 'within tolerance, 0.02 off' : 'within tolerance')
  else if (diff >= 3 && diff <= 500 && days >= 0 && days <= 30) note(diff === 3 ? 'beyond tolerance, 0.03 off' : 'beyond tolerance')
  else problems.push(`${invoice.invoice_id} is paid ${diff} cents off after ${days} days`)
  if (payment.customer_id !== invoice.customer_id || payment.currency !== invoice.currency) problems.push(`${payment.payment_id} changes customer`)
}

function split (invoice: Row, parts: Row[], note: (what: string) => void, problems: string[]): void {
  const amount = cents(invoice.amount)
  if (parts.length > 4) problems.push(`${invoice.invoice_id} is paid in ${parts.length} parts`)
  for (const part of parts) {
    const paid = cents(part.paid_amount)
    if (paid < 100 || paid > amount - 100) problems.push(`${part.payment_id} pays ${paid} of ${amount}`)
  }
  note(`split, ${offLabel(amount, parts)}`)
}

function settled (pattern: string, invoices: Row[], payments: Row[], sizes: [number, number], payCounts: [number, number], note: (what: string) => void, problems: string[]): void {
  const name = `${pattern} ${invoices[0]?.batch_ref ?? ''}${invoices[0]?.customer_id ?? ''}`
  if (invoices.length < sizes[0] || invoices.length > sizes[1]) problems.push(`${name} has ${invoices.length} invoices`)
  if (payments.length < payCounts[0] || payments.length > payCounts[1]) problems.push(`${name} has ${payments.length} payments`)
  if (new Set([...invoices, ...payments].map((r) => `${r.customer_id} ${r.currency}`)).size !== 1) problems.push(`${name} mixes customers`)
  note(`${pattern}, ${offLabel(invoices.reduce((sum, i) => sum + cents(i.amount), 0), payments)}`)
}

function offLabel (total: number, payments: Row[]): string {
  const diff = Math.abs(payments.reduce((sum, p) => sum + cents(p.paid_amount), 0) - total)
  return diff === 0 ? 'exact' : diff === 2 ? '0.02 off' : diff === 1 ? '0.01 off' : 'far off'
}

function cell (row: Row): string {
  return `${row.customer_id} ${row.currency} ${(row.invoice_date ?? row.payment_date ?? '').slice(0, 7)}`
}

function groupBy (rows: Row[], key: (row: Row) => string): Map<string, Row[]> {
  const groups = new Map<string, Row[]>()
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row])
  return groups
}

t.test('a dataset mixes every pattern, including each boundary case', async (t) => {
  const dir = await tempDir(t)
  await generateDataset({ outDir: dir, invoices: 20_000, seed: 2025, formats: ['csv'] })
  const { seen, problems } = await classify(dir)
  t.same(problems, [])
  const expected = [
    'exact', 'exact, paid on day 30', 'late', 'late, paid on day 31', 'within tolerance', 'within tolerance, 0.02 off',
    'beyond tolerance', 'beyond tolerance, 0.03 off', 'split, exact', 'split, 0.01 off', 'split, 0.02 off', 'split, far off',
    'batch, exact', 'batch, 0.01 off', 'batch, 0.02 off', 'batch, far off', 'cross, exact', 'cross, 0.01 off', 'cross, 0.02 off',
    'cross, far off', 'orphan invoice', 'orphan payment, no reference', 'orphan payment, unknown reference'
  ]
  for (const pattern of expected) t.ok((seen.get(pattern) ?? 0) > 0, `${pattern}: ${seen.get(pattern) ?? 0}`)
})

t.test('every value has the shape the recipes expect', async (t) => {
  const dir = await tempDir(t)
  await generateDataset({ outDir: dir, invoices: 5_000, seed: 99, formats: ['csv'] })
  const { invoices, payments } = await classify(dir)
  const bad = (rows: Row[], column: string, pattern: RegExp) => rows.filter((r) => !pattern.test(r[column] ?? '')).map((r) => r[column])
  t.same(bad(invoices, 'invoice_id', /^INV-\d{7}$/), [])
  t.same(bad(invoices, 'customer_id', /^[CX]-\d{5}$/), [])
  t.same(bad(invoices, 'currency', /^(EUR|USD|GBP)$/), [])
  t.same(bad(invoices, 'amount', /^[1-9]\d*\.\d\d$/), [], 'amounts are positive with two decimals')
  t.same(bad(invoices, 'invoice_date', /^2025-\d\d-\d\d$/), [])
  t.same(bad(invoices, 'batch_ref', /^(B-\d{6})?$/), [])
  t.same(bad(payments, 'payment_id', /^PAY-\d{7}$/), [])
  t.same(bad(payments, 'reference_number', /^(INV-\d{7}|B-\d{6})?$/), [])
  t.same(bad(payments, 'paid_amount', /^[1-9]\d*\.\d\d$/), [])
  t.same(bad(payments, 'payment_date', /^202[56]-\d\d-\d\d$/), [])
  t.same(bad(payments.filter((p) => p.customer_id?.startsWith('X-')), 'reference_number', /^$/), [], 'cross payments quote nothing')
})
