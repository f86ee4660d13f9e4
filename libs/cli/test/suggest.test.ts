import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import t from 'tap'
import { expectedResults, generateDataset } from '@kalla/datagen'
import { capturedOutput, csvToXlsx } from '@kalla/testing'
import { runCli } from '../src/cli.ts'

const dir = await mkdtemp(join(tmpdir(), 'kalla-cli-suggest-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))
const shares = { exact: 0.6, withinTolerance: 0.25, beyondTolerance: 0.1, late: 0, split: 0, batch: 0, cross: 0, orphanInvoice: 0.05, orphanPayment: 0.03 }
const data = await generateDataset({ outDir: dir, invoices: 2000, seed: 1201, formats: ['csv'], shares })
const truth = (await expectedResults(data.invoicesPath, data.paymentsPath))['one-to-one']

async function kalla (...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  const out = capturedOutput()
  const code = await runCli(args, { ...out, cwd: dir })
  return { code, ...out.text() }
}

t.test('kalla suggest writes the best recipe, and kalla match runs it to the ground truth', async (t) => {
  const payments = join(dir, 'payments.xlsx')
  await csvToXlsx(data.paymentsPath, payments, { amounts: ['paid_amount'], dates: ['payment_date'] })
  const suggested = await kalla('suggest', '--source', `invoices=${data.invoicesPath}`, '--source', 'payments=payments.xlsx', '--out', 'recipe.json')
  t.equal(suggested.code, 0, suggested.stderr)
  t.match(suggested.stdout, /^1\. invoices to payments, one to one: \d+ of 2000 invoices and \d+ of \d+ payments match/)
  t.match(suggested.stdout, /equal a value of invoices\.invoice_id/)
  t.match(suggested.stdout, /SQL: SELECT/)
  const recipe = JSON.parse(await readFile(join(dir, 'recipe.json'), 'utf8'))
  t.same(recipe.sources.left.primary_key, ['invoice_id'])
  t.match(recipe.match_sql, /tolerance_match\("invoices"\."amount", "payments"\."paid_amount", 0\.02\)/)
  const run = await kalla('match', 'recipe.json', '--source', `invoices=${data.invoicesPath}`, '--source', 'payments=payments.xlsx', '--out', 'results', '--json')
  t.equal(run.code, 0, run.stderr)
  const done = JSON.parse(run.stdout)
  t.same([done.matched_count, done.unmatched_left_count, done.unmatched_right_count], [truth.matched_count, truth.unmatched_left_count, truth.unmatched_right_count])
})

t.test('kalla suggest says no good recipe was found for unrelated files, with exit code 1', async (t) => {
  await writeFile(join(dir, 'a.csv'), 'code,colour\n' + Array.from({ length: 50 }, (_, i) => `A${i},red`).join('\n'))
  await writeFile(join(dir, 'b.csv'), 'ref,size\n' + Array.from({ length: 50 }, (_, i) => `Z-${i * 31},${1000 + i * 7}`).join('\n'))
  const result = await kalla('suggest', '--source', 'a=a.csv', '--source', 'b=b.csv')
  t.equal(result.code, 1)
  t.match(result.stderr, /^No good recipe found: /)
})

t.test('kalla suggest needs exactly two sources', async (t) => {
  const result = await kalla('suggest', '--source', `invoices=${data.invoicesPath}`)
  t.equal(result.code, 2)
  t.match(result.stderr, /takes two sources/)
})
