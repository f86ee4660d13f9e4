import { readFile } from 'node:fs/promises'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import t, { type Test } from 'tap'
import { generateDataset } from '@kalla/datagen'
import { SaveRecipe, SuggestRecipes, ValidateRecipe, type Upload } from '@kalla/proto'
import { codeOf, PG_URL, setup, type Setup } from './fixtures.ts'

const LONG = { timeoutMs: 60_000 }
const dir = await mkdtemp(join(tmpdir(), 'kalla-suggest-svc-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))
const shares = { exact: 0.6, withinTolerance: 0.25, beyondTolerance: 0.1, late: 0, split: 0, batch: 0, cross: 0, orphanInvoice: 0.05, orphanPayment: 0.03 }
const data = await generateDataset({ outDir: dir, invoices: 1000, seed: 1202, formats: ['csv'], shares })

/** Puts a CSV into storage and lets the stand-in sources service describe it as an upload. */
async function upload (s: Setup, id: string, filename: string, path: string): Promise<void> {
  const text = await readFile(path, 'utf8')
  const key = `uploads/${id}/${filename}`
  const { sizeBytes } = await s.storage.put(key, text)
  const record: Upload = { upload_id: id, filename, format: 'csv', columns: (text.split('\n')[0] ?? '').split(',').map((name) => ({ name, type: 'VARCHAR' })), size_bytes: sizeBytes, key, created_at: new Date().toISOString(), expires_at: new Date(Date.now() + 3_600_000).toISOString() }
  s.uploads.set(id, record)
}

async function withUploads (t: Test): Promise<Setup> {
  const s = await setup(t)
  await upload(s, 'up-inv', 'invoices.csv', data.invoicesPath)
  await upload(s, 'up-pay', 'payments.csv', data.paymentsPath)
  return s
}

t.test('suggestRecipes over NATS ranks recipes for two uploads, and the best validates and saves as it is', async (t) => {
  const s = await withUploads(t)
  const answer = await s.bus.request(SuggestRecipes, { sources: [{ alias: 'invoices', upload_id: 'up-inv' }, { alias: 'payments', upload_id: 'up-pay' }], sample_rows: 20_000, limit: 3 }, LONG)
  t.equal(answer.none, undefined)
  const best = answer.suggestions[0]!
  t.equal(best.rank, 1)
  t.equal(best.pattern, 'one_to_one')
  t.match(best.recipe.match_sql, /tolerance_match\("invoices"\."amount", "payments"\."paid_amount", 0\.02\)/)
  t.match(best.evidence.join(' '), /% of payments\.reference_number values equal a value of invoices\.invoice_id/)
  t.ok(best.preview.match_rate > 0.5, 'most records match on the sample')
  t.match(answer.notes.join(' '), /first 20000 rows/)
  const validation = await s.bus.request(ValidateRecipe, { recipe: best.recipe }, LONG)
  t.same(validation, { valid: true, problems: [] })
  const saved = await s.bus.request(SaveRecipe, { recipe: best.recipe }, LONG)
  t.equal(saved.recipe.recipe_id, 'invoices-payments-one-to-one')
})

t.test('a source given by neither an upload nor a uri, or with credentials in its uri, is refused with a code', async (t) => {
  const s = await withUploads(t)
  t.equal(await codeOf(s.bus.request(SuggestRecipes, { sources: [{ alias: 'invoices', upload_id: 'up-inv' }, { alias: 'payments' }], sample_rows: 1000, limit: 1 }, LONG)), 'RECIPES_SUGGEST_INVALID')
  t.equal(await codeOf(s.bus.request(SuggestRecipes, { sources: [{ alias: 'invoices', upload_id: 'up-inv' }, { alias: 'bank', uri: 'postgres://kalla:secret@127.0.0.1:5432/erp?table=bank' }], sample_rows: 1000, limit: 1 }, LONG)), 'RECIPES_URI_HAS_CREDENTIALS')
  t.equal(await codeOf(s.bus.request(SuggestRecipes, { sources: [{ alias: 'invoices', upload_id: 'up-inv' }, { alias: 'bank', uri: '/etc/passwd' }], sample_rows: 1000, limit: 1 }, LONG)), 'RECIPES_SUGGEST_INVALID')
  t.equal(await codeOf(s.bus.request(SuggestRecipes, { sources: [{ alias: 'invoices', upload_id: 'up-inv' }, { alias: 'payments', upload_id: 'up-none' }], sample_rows: 1000, limit: 1 }, LONG)), 'RECIPES_UPLOAD_NOT_FOUND')
})

t.test('a registered source is named in the suggested recipe as source:<alias>, never by the URI and password it resolves to', async (t) => {
  const s = await withUploads(t)
  const schema = `${s.schema}_erp`
  await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(s.database.db)
  t.teardown(async () => { await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(s.database.db) })
  await sql`CREATE TABLE ${sql.id(schema, 'invoices')} (invoice_id text PRIMARY KEY, customer_id text, currency text, amount numeric(12,2), invoice_date date, batch_ref text)`.execute(s.database.db)
  const rows = (await readFile(data.invoicesPath, 'utf8')).trimEnd().split('\n').slice(1).map((line) => line.split(','))
  for (const r of rows) await sql`INSERT INTO ${sql.id(schema, 'invoices')} VALUES (${r[0]}, ${r[1]}, ${r[2]}, ${r[3]}::numeric, ${r[4]}::date, ${r[5] === '' ? null : r[5]})`.execute(s.database.db)
  // The test server trusts local connections, so the password is accepted and ignored: it stands for a real one.
  const secret = 'pa55-in-the-registered-uri'
  const withPassword = new URL(PG_URL)
  withPassword.password = secret
  withPassword.searchParams.set('table', `${schema}.invoices`)
  const columns = [['invoice_id', 'VARCHAR'], ['customer_id', 'VARCHAR'], ['currency', 'VARCHAR'], ['amount', 'DECIMAL(12,2)'], ['invoice_date', 'DATE'], ['batch_ref', 'VARCHAR']].map(([name, type]) => ({ name: name!, type: type! }))
  s.sources.set('erp', { columns, uri: withPassword.toString() })
  const answer = await s.bus.request(SuggestRecipes, { sources: [{ alias: 'invoices', uri: 'source:erp' }, { alias: 'payments', upload_id: 'up-pay' }], sample_rows: 20_000, limit: 3 }, LONG)
  t.ok(answer.suggestions.length > 0, 'the registered invoices get suggestions')
  t.same(answer.suggestions.map((x) => x.recipe.sources.left.uri), answer.suggestions.map(() => 'source:erp'), 'every suggestion names the registered source')
  t.notMatch(JSON.stringify(answer), secret, 'the password appears nowhere in the answer')
  t.notMatch(JSON.stringify(answer), withPassword.host + withPassword.pathname, 'nor does the database it resolves to')
  const saved = await s.bus.request(SaveRecipe, { recipe: answer.suggestions[0]!.recipe }, LONG)
  t.equal(saved.recipe.sources.left.uri, 'source:erp', 'and it saves as a recipe reading the registered source')
})
