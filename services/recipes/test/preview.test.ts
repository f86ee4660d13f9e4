import { readdir } from 'node:fs/promises'
import t, { type Test } from 'tap'
import { sql } from 'kysely'
import { PreviewRecipe, type Recipe, type RecipePreview, type Upload } from '@kalla/proto'
import { codeOf, failure, fileRecipe, PG_URL, setup, type Setup } from './fixtures.ts'

// Tolerance 0.02: PAY-1 pays INV-1 (+0.02), PAY-3 pays INV-3 exactly, PAY-5 pays INV-4 (-0.01).
// PAY-2 is 0.03 short of INV-2, PAY-4 quotes an unknown invoice, PAY-6 quotes nothing; INV-5 is unpaid.
const INVOICES = 'invoice_id,customer,amount\nINV-1,Acme,100.00\nINV-2,Acme,250.50\nINV-3,Beta,75.25\nINV-4,Beta,1000.10\nINV-5,Gamma,12.00\n'
const PAYMENTS = 'payment_id,reference_number,paid_amount\nPAY-1,INV-1,100.02\nPAY-2,INV-2,250.47\nPAY-3,INV-3,75.25\nPAY-4,INV-9,12.00\nPAY-5,INV-4,1000.09\nPAY-6,,5.00\n'
const FILES = [{ alias: 'invoices', upload_id: 'up-invoices' }, { alias: 'payments', upload_id: 'up-payments' }]
const LONG = { timeoutMs: 30_000 }

/** Puts a CSV into storage and lets the stand-in sources service describe it as an upload. */
async function upload (setup: Setup, id: string, filename: string, text: string): Promise<void> {
  const key = `uploads/${id}/${filename}`
  const { sizeBytes } = await setup.storage.put(key, text)
  const header = text.split('\n')[0] ?? ''
  const record: Upload = { upload_id: id, filename, format: 'csv', columns: header.split(',').map((name) => ({ name, type: 'VARCHAR' })), size_bytes: sizeBytes, key, created_at: new Date().toISOString(), expires_at: new Date(Date.now() + 3_600_000).toISOString() }
  setup.uploads.set(id, record)
}

async function withUploads (t: Test, env: Record<string, string> = {}): Promise<Setup> {
  const s = await setup(t, env)
  await upload(s, 'up-invoices', 'invoices.csv', INVOICES)
  await upload(s, 'up-payments', 'bank.csv', PAYMENTS)
  return s
}

const keys = (rows: RecipePreview['matched'], ...columns: string[]): string[] =>
  rows.map((r) => columns.map((c) => String(r[c])).join('/')).sort()

t.test('a preview matches two uploaded files and returns the counts and exact rows, leaving nothing behind', async (t) => {
  const s = await withUploads(t)
  const preview = await s.bus.request(PreviewRecipe, { recipe: fileRecipe(), files: FILES, sample_rows: 1000, row_limit: 20 }, LONG)
  t.same([preview.matched_count, preview.unmatched_left_count, preview.unmatched_right_count], [3, 2, 3])
  t.same(keys(preview.matched, 'invoice_id', 'payment_id'), ['INV-1/PAY-1', 'INV-3/PAY-3', 'INV-4/PAY-5'])
  t.same(keys(preview.unmatched_left, 'invoice_id'), ['INV-2', 'INV-5'])
  t.same(keys(preview.unmatched_right, 'payment_id'), ['PAY-2', 'PAY-4', 'PAY-6'])
  const first = preview.matched.find((r) => r.invoice_id === 'INV-1')
  t.same([first?.invoice_amount, first?.paid_amount], ['100.00', '100.02'], 'amounts are exact strings')
  t.same(preview.unmatched_left.find((r) => r.invoice_id === 'INV-2')?.amount, '250.50')
  t.same(JSON.parse(JSON.stringify(preview)), preview, 'the rows are plain JSON')
  t.same(await readdir(s.workDir), [], 'the temporary directory is removed')
  t.same(s.downloads, [], 'uploads in the local storage directory are read in place')

  const limited = await s.bus.request(PreviewRecipe, { recipe: fileRecipe(), files: FILES, sample_rows: 1000, row_limit: 1 }, LONG)
  t.same([limited.matched_count, limited.matched.length, limited.unmatched_right.length], [3, 1, 1], 'row_limit bounds the rows, not the counts')
})

t.test('sample_rows limits each source to its first records', async (t) => {
  const s = await withUploads(t)
  // The first two invoices (INV-1, INV-2) against the first two payments (PAY-1, PAY-2).
  const preview = await s.bus.request(PreviewRecipe, { recipe: fileRecipe(), files: FILES, sample_rows: 2, row_limit: 20 }, LONG)
  t.same([preview.matched_count, preview.unmatched_left_count, preview.unmatched_right_count], [1, 1, 1])
  t.same(keys(preview.matched, 'invoice_id', 'payment_id'), ['INV-1/PAY-1'])
})

t.test('an upload not on this disk is read through the storage interface', async (t) => {
  const s = await withUploads(t, { STORAGE_DIR: '/nonexistent/kalla-objects' })
  const preview = await s.bus.request(PreviewRecipe, { recipe: fileRecipe(), files: FILES, sample_rows: 1000, row_limit: 0 }, LONG)
  t.same([preview.matched_count, preview.matched.length], [3, 0])
  t.same(s.downloads.sort(), ['uploads/up-invoices/invoices.csv', 'uploads/up-payments/bank.csv'])
  t.same(await readdir(s.workDir), [])
})

t.test('a registered Postgres source is resolved and previewed', async (t) => {
  const s = await withUploads(t)
  const data = `${s.schema}_erp`
  await sql`CREATE SCHEMA ${sql.id(data)}`.execute(s.database.db)
  t.teardown(async () => { await sql`DROP SCHEMA IF EXISTS ${sql.id(data)} CASCADE`.execute(s.database.db) })
  await sql`CREATE TABLE ${sql.id(data, 'invoices')} (invoice_id text PRIMARY KEY, amount numeric(12,2))`.execute(s.database.db)
  await sql`INSERT INTO ${sql.id(data, 'invoices')} VALUES ('INV-1', 100.00), ('INV-3', 75.20)`.execute(s.database.db)
  s.sources.set('erp', { columns: [], uri: `${PG_URL}?table=${data}.invoices` })
  const recipe = fileRecipe({ sources: { ...fileRecipe().sources, left: { alias: 'invoices', type: 'postgres', uri: 'source:erp', primary_key: ['invoice_id'] } } })
  const preview = await s.bus.request(PreviewRecipe, { recipe, files: [FILES[1]!], sample_rows: 1000, row_limit: 20 }, LONG)
  // INV-1 is paid by PAY-1 (+0.02); INV-3 at 75.20 is 0.05 short of PAY-3.
  t.same([preview.matched_count, preview.unmatched_left_count, preview.unmatched_right_count], [1, 1, 5])
  t.same(preview.matched[0]?.invoice_amount, '100.00')
})

t.test('a preview that cannot run fails with a code that says why', async (t) => {
  // A time limit short enough for the runaway below, long enough for the others on a busy machine.
  const s = await withUploads(t, { RECIPES_PREVIEW_TIMEOUT_S: '4' })
  const request = (recipe: Recipe, files = FILES): Promise<RecipePreview> => s.bus.request(PreviewRecipe, { recipe, files, sample_rows: 1000, row_limit: 20 }, LONG)
  const syntax = await failure(request(fileRecipe({ match_sql: 'SELEC i.invoice_id FROM invoices i' })))
  t.equal(syntax.code, 'ENGINE_SQL_SYNTAX')
  t.match(syntax.message, /syntax error/)
  t.equal(await codeOf(request(fileRecipe({ match_sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON p.reference = i.invoice_id' }))), 'ENGINE_SQL_INVALID')
  t.equal(await codeOf(request(fileRecipe(), [FILES[0]!, { alias: 'payments', upload_id: 'up-gone' }])), 'RECIPES_UPLOAD_NOT_FOUND')
  t.equal(await codeOf(request(fileRecipe(), [FILES[0]!])), 'RECIPES_FILE_MISSING')
  t.equal(await codeOf(request(fileRecipe(), [...FILES, { alias: 'ledger', upload_id: 'up-invoices' }])), 'RECIPES_FILE_UNEXPECTED')
  t.equal(await codeOf(request(fileRecipe({ sources: { ...fileRecipe().sources, right: { alias: 'payments', type: 'file', schema: ['payment_id', 'iban'], primary_key: ['payment_id'] } } }))), 'ENGINE_MISSING_COLUMNS')
  t.equal(await codeOf(request(fileRecipe({ name: '' }))), 'RECIPES_INVALID')
  const slow = 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON p.reference_number = i.invoice_id WHERE (SELECT count(*) FROM range(100000000000) r WHERE r.range % 7 = i.amount) > 0'
  t.equal(await codeOf(request(fileRecipe({ match_sql: slow }))), 'ENGINE_TIMEOUT', 'a preview is stopped at its time limit')
  t.same(await readdir(s.workDir), [], 'failed previews leave nothing behind')
})
