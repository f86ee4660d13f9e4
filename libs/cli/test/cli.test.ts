import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import ExcelJS from 'exceljs'
import t from 'tap'
import { expectedResults, generateDataset } from '@kalla/datagen'
import { capturedOutput, csvToXlsx } from '@kalla/testing'
import { runCli } from '../src/cli.ts'

const dir = await mkdtemp(join(tmpdir(), 'kalla-cli-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))
const data = await generateDataset({ outDir: dir, invoices: 2000, seed: 99, formats: ['csv'] })
const truth = await expectedResults(data.invoicesPath, data.paymentsPath)
const recipe = new URL('../../../examples/recipes/one-to-one.json', import.meta.url).pathname

async function kalla (...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  return await kallaIn(undefined, ...args)
}

/** Runs the CLI as if typed in `cwd` (what `npm run kalla` passes on as INIT_CWD). */
async function kallaIn (cwd: string | undefined, ...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  const out = capturedOutput()
  const code = await runCli(args, { ...out, ...(cwd === undefined ? {} : { cwd }) })
  return { code, ...out.text() }
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

t.test('relative paths are read from the directory the command was typed in', async (t) => {
  const here = join(dir, 'typed-here')
  await mkdir(join(here, 'data'), { recursive: true })
  await copyFile(recipe, join(here, 'recipe.json'))
  await copyFile(data.invoicesPath, join(here, 'data', 'inv.csv'))
  await copyFile(data.paymentsPath, join(here, 'data', 'bank.csv'))
  const result = await kallaIn(here, 'match', 'recipe.json', '--source', 'invoices=data/inv.csv', '--source', 'payments=./data/bank.csv', '--out', 'out')
  t.equal(result.code, 0, result.stderr)
  t.ok(JSON.parse(await readFile(join(here, 'out', 'summary.json'), 'utf8')).matched_count > 0, 'results are written under that directory')
})

t.test('every missing source file is reported at once, as the user wrote it, before anything is read', async (t) => {
  const here = join(dir, 'typed-elsewhere')
  await mkdir(here, { recursive: true })
  const result = await kallaIn(here, 'match', recipe, '--source', 'invoices=./inv.csv', '--source', 'payments=exports/bank.csv', '--out', 'out')
  t.equal(result.code, 1)
  t.match(result.stderr, /^kalla: ENGINE_FILE_NOT_FOUND: invoices: \.\/inv\.csv does not exist \(looked for .*typed-elsewhere\/inv\.csv\)\.$/m)
  t.match(result.stderr, /^kalla: ENGINE_FILE_NOT_FOUND: payments: exports\/bank\.csv does not exist/m)
  t.notMatch(result.stderr, /Reading/, 'no source was read')
  const missingRecipe = await kallaIn(here, 'validate', 'nope.json')
  t.match(missingRecipe.stderr, /Cannot read the recipe file nope\.json \(looked for .*typed-elsewhere\/nope\.json\)/)
})

t.test('--max-spill bounds the temporary disk of a run, and --timeout 0 lifts the time limit', async (t) => {
  const crossRecipe = join(dir, 'cross.json')
  const base = JSON.parse(await readFile(recipe, 'utf8'))
  await writeFile(crossRecipe, JSON.stringify({ ...base, match_sql: 'SELECT i.invoice_id, p.payment_id, a.range AS x FROM invoices i, payments p, range(1000000) a, range(1000000) b' }))
  const work = join(dir, 'spill-work')
  await mkdir(work)
  const result = await kalla('match', crossRecipe, '--source', `invoices=${data.invoicesPath}`, '--source', `payments=${data.paymentsPath}`, '--out', join(dir, 'spill'), '--memory-limit', '64MB', '--threads', '2', '--max-spill', '16MB', '--timeout', '0', '--work-dir', work)
  t.equal(result.code, 1)
  t.match(result.stderr, /ENGINE_SPILL_LIMIT: .*spill limit of 15\.2 MiB.*--max-spill/)
  const wrong = await kalla('match', recipe, '--source', `invoices=${data.invoicesPath}`, '--source', `payments=${data.paymentsPath}`, '--max-spill', 'lots')
  t.equal(wrong.code, 2)
  t.match(wrong.stderr, /--max-spill takes a size such as 512MB/)
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

t.test('kalla validate reports field problems and SQL problems of a malformed recipe together', async (t) => {
  const value = JSON.parse(await readFile(recipe, 'utf8'))
  value.sources.left.type = 'flie'
  value.match_sql = "SELECT * FROM invoices i JOIN read_csv('/etc/passwd') x ON true"
  const broken = join(dir, 'broken-both.json')
  await writeFile(broken, JSON.stringify(value))
  const result = await kalla('validate', broken)
  t.equal(result.code, 2)
  t.match(result.stderr, /\/sources\/left\/type: .*"flie", which is not allowed: use one of postgres, bigquery, elasticsearch, file\. Did you mean "file"\?/)
  t.match(result.stderr, /ENGINE_SQL_FORBIDDEN/, 'the SQL is checked although a field is wrong')
})

t.test('kalla validate --source reports type problems with the other problems at once, in the user\'s words', async (t) => {
  const textAmounts = join(dir, 'text-amounts.csv')
  await writeFile(textAmounts, 'payment_id,reference_number,customer_id,currency,paid_amount,payment_date\nP1,INV-1,C1,EUR,100.00,2024-01-05\nP2,INV-2,C1,EUR,n/a,2024-01-05\n')
  const path = await editedRecipe('typed.json', (sql) => sql.replace('i.amount AS invoice_amount', 'i.amuont AS invoice_amount'))
  const result = await kalla('validate', path, '--source', `invoices=${data.invoicesPath}`, '--source', `payments=${textAmounts}`)
  t.equal(result.code, 2)
  t.match(result.stderr, /ENGINE_SQL_UNKNOWN_COLUMN at \/match_sql: .*"amuont".*Did you mean "amount"\?/)
  const typed = await kalla('validate', recipe, '--source', `invoices=${data.invoicesPath}`, '--source', `payments=${textAmounts}`)
  t.equal(typed.code, 2)
  t.match(typed.stderr, /ENGINE_SQL_TYPE_MISMATCH at \/match_sql: The match SQL compares payments\.paid_amount \(text\) with invoices\.amount \(number\) in tolerance_match\(\): set the column's type in the recipe or cast it/)
  t.notMatch(typed.stderr, /Candidate|LINE \d|VARCHAR|DECIMAL/)
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
