import { readFile, writeFile } from 'node:fs/promises'
import { PassThrough } from 'node:stream'
import { join } from 'node:path'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import ExcelJS from 'exceljs'
import t from 'tap'
import { expectedResults, generateDataset } from '@kalla/datagen'
import { csvToXlsx } from '@kalla/testing'
import { runCli } from '../src/cli.ts'

const dir = await mkdtemp(join(tmpdir(), 'kalla-cli-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))
const data = await generateDataset({ outDir: dir, invoices: 2000, seed: 99, formats: ['csv'] })
const truth = await expectedResults(data.invoicesPath, data.paymentsPath)
const recipe = new URL('../../../examples/recipes/one-to-one.json', import.meta.url).pathname

async function kalla (...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] }
  stdout.on('data', (c: Buffer) => chunks.stdout.push(c))
  stderr.on('data', (c: Buffer) => chunks.stderr.push(c))
  const code = await runCli(args, { stdout, stderr })
  return { code, stdout: Buffer.concat(chunks.stdout).toString(), stderr: Buffer.concat(chunks.stderr).toString() }
}

t.test('kalla match reconciles files and prints counts equal to the ground truth', async (t) => {
  const out = join(dir, 'results')
  const result = await kalla('match', recipe, '--source', `invoices=${data.invoicesPath}`, '--source', `payments=${data.paymentsPath}`, '--out', out)
  t.equal(result.code, 0, result.stderr)
  const expected = truth['one-to-one']
  t.match(result.stdout, new RegExp(`${expected.matched_count.toLocaleString('en-US')} matched rows`))
  t.match(result.stdout, new RegExp(`unmatched\\s+${expected.unmatched_left_count.toLocaleString('en-US')}\\s+${expected.unmatched_right_count.toLocaleString('en-US')}`))
  t.match(result.stderr, /Reading invoices: 100%/, 'plain progress lines when not on a terminal')
  const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'))
  t.equal(summary.unmatched_right_count, expected.unmatched_right_count)
})

t.test('--json prints the completion record', async (t) => {
  const result = await kalla('match', recipe, '--source', `invoices=${data.invoicesPath}`, '--source', `payments=${data.paymentsPath}`, '--out', join(dir, 'json'), '--json')
  t.equal(result.code, 0)
  t.equal(JSON.parse(result.stdout).matched_left, truth['one-to-one'].matched_left)
})

t.test('a failing run exits 1 with the coded message', async (t) => {
  const bad = join(dir, 'bad.csv')
  await writeFile(bad, 'payment_id,reference_number\nP1,INV-1\n')
  const result = await kalla('match', recipe, '--source', `invoices=${data.invoicesPath}`, '--source', `payments=${bad}`, '--out', join(dir, 'bad'))
  t.equal(result.code, 1)
  t.match(result.stderr, /^kalla: ENGINE_MISSING_COLUMNS: payments: bad\.csv is missing the columns customer_id, currency, paid_amount, payment_date/m)
})

t.test('usage mistakes exit 2 and say what to do', async (t) => {
  const unbound = await kalla('match', recipe, '--source', `invoices=${data.invoicesPath}`)
  t.equal(unbound.code, 2)
  t.match(unbound.stderr, /Give the data for payments \(--source payments=path\/to\/file\.csv\)/)
  const unknown = await kalla('match', recipe, '--source', `bank=${data.paymentsPath}`)
  t.match(unknown.stderr, /no source "bank"; its sources are invoices and payments/)
  t.equal((await kalla('frobnicate', recipe)).code, 2)
  t.equal((await kalla('--help')).code, 0)
})

t.test('kalla validate lists every recipe problem with its code', async (t) => {
  const broken = join(dir, 'broken.json')
  const value = JSON.parse(await readFile(recipe, 'utf8'))
  value.match_sql = "SELECT * FROM invoices i JOIN read_csv('/etc/passwd') x ON true"
  await writeFile(broken, JSON.stringify(value))
  const result = await kalla('validate', broken)
  t.equal(result.code, 2)
  t.match(result.stderr, /ENGINE_SQL_FORBIDDEN/)
  t.match(result.stderr, /ENGINE_SQL_SOURCE_UNUSED/)
  t.equal((await kalla('validate', recipe)).code, 0)
})

/** The example recipe with its match SQL edited, written to a file of its own. */
async function editedRecipe (name: string, edit: (sql: string) => string): Promise<string> {
  const path = join(dir, name)
  const value = JSON.parse(await readFile(recipe, 'utf8'))
  value.match_sql = edit(value.match_sql)
  await writeFile(path, JSON.stringify(value))
  return path
}

t.test('kalla validate binds the SQL to the schema: a misspelt column gets a did-you-mean', async (t) => {
  const result = await kalla('validate', await editedRecipe('misspelt.json', (sql) => sql.replace('p.paid_amount, 0.02', 'p.paid_amont, 0.02')))
  t.equal(result.code, 2)
  t.match(result.stderr, /ENGINE_SQL_UNKNOWN_COLUMN at \/match_sql: .*"paid_amont".*Did you mean "paid_amount"\?/)
  t.notMatch(result.stdout, /valid/)
})

t.test('kalla validate refuses a recipe whose output lacks a primary key column', async (t) => {
  const result = await kalla('validate', await editedRecipe('keyless.json', (sql) => sql.replace('SELECT i.invoice_id, p.payment_id,', 'SELECT i.invoice_id,')))
  t.equal(result.code, 2)
  t.match(result.stderr, /ENGINE_MATCH_KEYS_MISSING at \/match_sql: .*payments primary key payment_id/)
})

t.test('kalla validate --source binds against the real file, typed as a run types it', async (t) => {
  t.equal((await kalla('validate', recipe, '--source', `invoices=${data.invoicesPath}`, '--source', `payments=${data.paymentsPath}`)).code, 0)
  const bad = join(dir, 'short.csv')
  await writeFile(bad, 'payment_id,reference_number\nP1,INV-1\n')
  const result = await kalla('validate', recipe, '--source', `payments=${bad}`)
  t.equal(result.code, 2)
  t.match(result.stderr, /ENGINE_MISSING_COLUMNS at \/sources\/right\/schema: payments lacks the column\(s\) customer_id, currency, paid_amount, payment_date/)
  t.match(result.stderr, /ENGINE_SQL_UNKNOWN_COLUMN at \/match_sql: .*"paid_amount"/)
})

t.test('kalla match reads .xlsx sources and --format xlsx writes workbooks beside the Parquet files', async (t) => {
  const invoices = join(dir, 'invoices.xlsx')
  const payments = join(dir, 'payments.xlsx')
  await csvToXlsx(data.invoicesPath, invoices, { amounts: ['amount'], dates: ['invoice_date'] })
  await csvToXlsx(data.paymentsPath, payments, { amounts: ['paid_amount'], dates: ['payment_date'] })
  const out = join(dir, 'xlsx')
  const result = await kalla('match', recipe, '--source', `invoices=${invoices}`, '--source', `payments=${payments}`, '--out', out, '--format', 'xlsx')
  t.equal(result.code, 0, result.stderr)
  const expected = truth['one-to-one']
  t.match(result.stdout, new RegExp(`${expected.matched_count.toLocaleString('en-US')} matched rows`))
  t.match(result.stdout, /matched\.parquet \(and .*matched\.xlsx\)/)
  const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'))
  t.same(summary.exports, { format: 'xlsx', matched: 'matched.xlsx', unmatched_left: 'unmatched_left.xlsx', unmatched_right: 'unmatched_right.xlsx' })
  t.equal(summary.unmatched_left_count, expected.unmatched_left_count, 'the ground truth, from .xlsx sources')
  const book = new ExcelJS.Workbook()
  await book.xlsx.readFile(join(out, 'unmatched_left.xlsx'))
  const sheet = book.getWorksheet('unmatched_left')!
  t.equal(sheet.rowCount - 1, expected.unmatched_left_count, 'one row per unmatched invoice under the header')
  t.equal(sheet.getCell('A1').value, 'invoice_id')
  t.equal(typeof sheet.getCell('D2').value, 'number', 'amounts are number cells')
})

t.test('--format csv writes CSV files beside the Parquet files; other formats are refused', async (t) => {
  const out = join(dir, 'csv')
  const result = await kalla('match', recipe, '--source', `invoices=${data.invoicesPath}`, '--source', `payments=${data.paymentsPath}`, '--out', out, '--format', 'csv')
  t.equal(result.code, 0, result.stderr)
  const lines = (await readFile(join(out, 'unmatched_right.csv'), 'utf8')).trim().split('\n')
  t.equal(lines[0], 'payment_id,reference_number,customer_id,currency,paid_amount,payment_date')
  t.equal(lines.length - 1, truth['one-to-one'].unmatched_right_count)
  await readFile(join(out, 'matched.parquet'))
  const wrong = await kalla('match', recipe, '--source', `invoices=${data.invoicesPath}`, '--source', `payments=${data.paymentsPath}`, '--format', 'xls')
  t.equal(wrong.code, 2)
  t.match(wrong.stderr, /--format takes parquet, csv or xlsx, got "xls"/)
})
