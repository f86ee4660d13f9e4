import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import t from 'tap'
import { expectedResults, generateDataset } from '@kalla/datagen'
import { CORPUS_DIR, capturedOutput, csvToXlsx } from '@kalla/testing'
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

t.test('kalla suggest --options reads a source with reading options, and the recipe it writes runs to the corpus ground truth', async (t) => {
  const files = CORPUS_DIR
  const expected = JSON.parse(await readFile(join(files, 'bank-de-erp.expected.json'), 'utf8'))
  await writeFile(join(dir, 'bank-options.json'), JSON.stringify({ file: { delimiter: ';', encoding: 'windows-1252' }, columns: { Betrag: { type: 'decimal', decimal_separator: ',', thousands_separator: '.' } } }))
  const sources = ['--source', `erp=${join(files, 'erp-invoices-sap.txt')}`, '--source', `bank=${join(files, 'bank-de-statement.csv')}`]
  const suggested = await kalla('suggest', ...sources, '--options', 'bank=bank-options.json', '--options', 'erp={"columns": {"Document No.": {"type": "text"}}}', '--out', 'de.json')
  t.equal(suggested.code, 0, suggested.stderr)
  t.match(suggested.stdout, /bank: the column names are on line 5, below a title block/)
  const recipe = JSON.parse(await readFile(join(dir, 'de.json'), 'utf8'))
  t.same(recipe.sources.right.options, { file: { delimiter: ';', encoding: 'windows-1252', header_row: 5 }, columns: { Betrag: { type: 'decimal', decimal_separator: ',', thousands_separator: '.' } } })
  t.same(recipe.sources.left.options, { columns: { 'Document No.': { type: 'text' } }, file: { header_row: 5 } })
  const run = await kalla('match', 'de.json', ...sources, '--out', 'de-results', '--json')
  t.equal(run.code, 0, run.stderr)
  const done = JSON.parse(run.stdout)
  t.same([done.matched_count, done.matched_left, done.matched_right, done.unmatched_left_count, done.unmatched_right_count],
    [expected.matched_count, expected.matched_left, expected.matched_right, expected.unmatched_left_count, expected.unmatched_right_count])
})

t.test('kalla suggest --options names the problem: unknown source, bad JSON, an option that does not exist', async (t) => {
  const sources = ['--source', `invoices=${data.invoicesPath}`, '--source', `payments=${data.paymentsPath}`]
  const unknown = await kalla('suggest', ...sources, '--options', 'bank={}')
  t.equal(unknown.code, 2)
  t.match(unknown.stderr, /--options names bank, which no --source is called: use invoices or payments/)
  const broken = await kalla('suggest', ...sources, '--options', 'invoices={"file":')
  t.equal(broken.code, 2)
  t.match(broken.stderr, /--options invoices: the options are not JSON/)
  const wrong = await kalla('suggest', ...sources, '--options', 'invoices={"file": {"header_rows": 5}}')
  t.equal(wrong.code, 2)
  t.match(wrong.stderr, /header_rows/)
})
