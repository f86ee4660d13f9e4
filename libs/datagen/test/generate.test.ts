import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { generateDataset, INVOICE_COLUMNS, PAYMENT_COLUMNS } from '../src/index.ts'
import { csvRows } from './csv-rows.ts'
import { tempDir } from './temp-dir.ts'

const FILES = ['invoices.csv', 'invoices.ndjson', 'payments.csv', 'payments.ndjson']

async function contents (dir: string): Promise<Record<string, string>> {
  const names = (await readdir(dir)).sort()
  return Object.fromEntries(await Promise.all(names.map(async (name) => [name, await readFile(join(dir, name), 'utf8')])))
}

t.test('the same seed gives byte-identical files, another seed different ones', async (t) => {
  const [a, b, c] = await Promise.all([tempDir(t), tempDir(t), tempDir(t)])
  const first = await generateDataset({ outDir: a, invoices: 3000, seed: 7 })
  await generateDataset({ outDir: b, invoices: 3000, seed: 7 })
  await generateDataset({ outDir: c, invoices: 3000, seed: 8 })
  t.same(Object.keys(await contents(a)), FILES)
  t.same(first.files.map((f) => f.slice(a.length + 1)).sort(), FILES)
  t.strictSame(await contents(a), await contents(b))
  const [left, other] = [await contents(a), await contents(c)]
  for (const file of FILES) t.not(left[file], other[file], `${file} differs with another seed`)
})

t.test('exactly the requested number of invoices is written, with the columns of the recipes', async (t) => {
  for (const invoices of [1, 2, 3, 1001]) {
    const dir = await tempDir(t)
    const result = await generateDataset({ outDir: dir, invoices, seed: invoices, formats: ['csv'] })
    t.equal(result.rows.invoices, invoices)
    t.equal((await csvRows(result.invoicesPath)).length, invoices)
    t.equal((await csvRows(result.paymentsPath)).length, result.rows.payments)
  }
  const dir = await tempDir(t)
  const result = await generateDataset({ outDir: dir, invoices: 10, seed: 1, formats: ['csv'] })
  t.same((await readdir(dir)).sort(), ['invoices.csv', 'payments.csv'])
  t.equal((await readFile(result.invoicesPath, 'utf8')).split('\n')[0], INVOICE_COLUMNS.join(','))
  t.equal((await readFile(result.paymentsPath, 'utf8')).split('\n')[0], PAYMENT_COLUMNS.join(','))
})

t.test('the NDJSON files hold the same records as the CSV files, NULL for empty fields', async (t) => {
  const dir = await tempDir(t)
  const result = await generateDataset({ outDir: dir, invoices: 2000, seed: 3 })
  for (const side of ['invoices', 'payments']) {
    const csv = await csvRows(join(dir, `${side}.csv`))
    const json = (await readFile(join(dir, `${side}.ndjson`), 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
    const asCsv = json.map((record) => Object.fromEntries(Object.entries(record).map(([name, value]) => [
      name, value === null ? '' : typeof value === 'number' ? value.toFixed(2) : String(value)
    ])))
    t.strictSame(asCsv, csv, side)
  }
  t.equal(result.invoicesPath, join(dir, 'invoices.csv'))
  const ndjsonOnly = await generateDataset({ outDir: await tempDir(t), invoices: 5, seed: 3, formats: ['ndjson'] })
  t.match(ndjsonOnly.paymentsPath, /payments\.ndjson$/)
})

t.test('payments are shuffled, not aligned row by row with their invoices', async (t) => {
  const dir = await tempDir(t)
  await generateDataset({ outDir: dir, invoices: 5000, seed: 11, formats: ['csv'] })
  const invoices = await csvRows(join(dir, 'invoices.csv'))
  const payments = await csvRows(join(dir, 'payments.csv'))
  const aligned = payments.filter((p, i) => p.reference_number === invoices[i]?.invoice_id).length
  t.ok(aligned < 50, `${aligned} of ${payments.length} payments sit on the row of their invoice`)
  t.same(payments.map((p) => p.payment_id), payments.map((_, i) => `PAY-${String(i + 1).padStart(7, '0')}`), 'payment ids follow file order')
})

t.test('shares choose the mix of patterns', async (t) => {
  const dir = await tempDir(t)
  const none = { withinTolerance: 0, beyondTolerance: 0, late: 0, split: 0, batch: 0, cross: 0, orphanInvoice: 0, orphanPayment: 0 }
  const result = await generateDataset({ outDir: dir, invoices: 500, seed: 5, formats: ['csv'], shares: { ...none, exact: 1 } })
  const invoices = await csvRows(result.invoicesPath)
  const payments = await csvRows(result.paymentsPath)
  const byId = new Map(invoices.map((i) => [i.invoice_id, i]))
  t.equal(payments.length, 500)
  t.ok(payments.every((p) => byId.get(p.reference_number ?? '')?.amount === p.paid_amount), 'every payment pays one invoice exactly')
})

t.test('options that cannot make a dataset are refused before any file is written', async (t) => {
  const outDir = await tempDir(t)
  await t.rejects(generateDataset({ outDir, invoices: 0, seed: 1 }), /invoices must be a positive integer/)
  await t.rejects(generateDataset({ outDir, invoices: 1.5, seed: 1 }), /invoices must be a positive integer/)
  await t.rejects(generateDataset({ outDir, invoices: 1, seed: 0.5 }), /seed must be an integer/)
  await t.rejects(generateDataset({ outDir, invoices: 1, seed: 1, formats: ['xml' as 'csv'] }), /formats must be one or more of csv, ndjson/)
  await t.rejects(generateDataset({ outDir, invoices: 1, seed: 1, shares: { split: -1 } }), /share of split/)
  await t.rejects(generateDataset({ outDir, invoices: 1, seed: 1, shares: { exact: 0, withinTolerance: 0, beyondTolerance: 0, late: 0, split: 0, batch: 0, cross: 0, orphanInvoice: 0 } }), /At least one pattern/)
  t.same(await readdir(outDir), [])
})
