import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { expectedResults, generateDataset, RECIPES } from '@kalla/datagen'
import { recipeJob, type Recipe } from '@kalla/proto'
import { csvToXlsx } from '@kalla/testing'
import { runJob } from '../src/index.ts'
import { readRows, tempDir } from './fixtures.ts'

// The generator's data written as Excel would store it (shared strings, amounts as number cells
// with a 2-decimal format, serial dates) must reconcile exactly as the CSV does: the ground truth is
// computed from the CSV in plain JavaScript with integer cents.
const dir = await tempDir(t)
const data = await generateDataset({ outDir: dir, invoices: 3000, seed: 20261201, formats: ['csv'] })
const expected = await expectedResults(data.invoicesPath, data.paymentsPath, { keys: true })
const invoices = join(dir, 'invoices.xlsx')
const payments = join(dir, 'payments.xlsx')
await csvToXlsx(data.invoicesPath, invoices, { amounts: ['amount'], dates: ['invoice_date'] })
await csvToXlsx(data.paymentsPath, payments, { amounts: ['paid_amount'], dates: ['payment_date'], amountFormat: '"$"#,##0.00_);[Red]("$"#,##0.00)' })

for (const name of RECIPES) {
  t.test(`${name} on .xlsx sources matches the ground truth`, async (t) => {
    const recipe = JSON.parse(await readFile(new URL(`../../../examples/recipes/${name}.json`, import.meta.url), 'utf8')) as Recipe
    const out = join(dir, `out-${name}`)
    const { job } = recipeJob(recipe, { invoices: { uri: invoices, type: 'file' }, payments: { uri: payments, type: 'file' } }, { run_id: `${name}-xlsx`, output_path: out })
    if (job === undefined) throw new Error('recipe left a source unbound')
    const done = await runJob(job, { threads: 2 })
    const truth = expected[name]
    for (const field of ['matched_count', 'matched_left', 'matched_right', 'unmatched_left_count', 'unmatched_right_count', 'total_left', 'total_right'] as const) {
      t.equal(done[field], truth[field], field)
    }
    t.same((await readRows(done.outputs.unmatched_left, 'invoice_id')).map((r) => r.invoice_id), truth.unmatched_left_keys, 'unmatched invoice ids')
    t.same((await readRows(done.outputs.unmatched_right, 'payment_id')).map((r) => r.payment_id), truth.unmatched_right_keys, 'unmatched payment ids')
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { sources: { columns: { name: string, type: string }[] }[] }
    t.same(summary.sources[0]!.columns.map((c) => c.type), ['VARCHAR', 'VARCHAR', 'VARCHAR', 'DECIMAL(18,2)', 'DATE', 'VARCHAR'], 'invoice columns typed from their cells')
  })
}
