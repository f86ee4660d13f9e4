import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { sql } from 'kysely'
import { ValidateRecipe, type Recipe } from '@kalla/proto'
import { fileRecipe, PG_URL, setup } from './fixtures.ts'

const problemsOf = (validation: { problems: { code: string, path?: string }[] }): string[][] =>
  validation.problems.map((p) => [p.code, p.path ?? '']).sort((a, b) => a.join().localeCompare(b.join()))

t.test('a bad alias, forbidden SQL and a missing key are all reported at once, with codes and paths', async (t) => {
  const { bus } = await setup(t)
  const recipe = fileRecipe({
    match_sql: "SELECT i.invoice_id, current_setting('threads') AS threads FROM invoices i JOIN __kalla_bank b ON b.reference_number = i.invoice_id",
    sources: {
      left: { alias: 'invoices', type: 'file', schema: ['invoice_id', 'amount'], primary_key: ['invoice_id'] },
      right: { alias: '__kalla_bank', type: 'file', schema: ['payment_id', 'reference_number', 'paid_amount'], primary_key: ['payment_id'] }
    }
  })
  const validation = await bus.request(ValidateRecipe, { recipe })
  t.equal(validation.valid, false)
  t.same(problemsOf(validation), [
    ['ENGINE_SQL_FORBIDDEN', '/match_sql'],
    ['RECIPE_ALIAS_INVALID', '/sources/right/alias'],
    ['RECIPES_MATCH_KEYS_MISSING', '/match_sql']
  ])
  const missing = validation.problems.find((p) => p.code === 'RECIPES_MATCH_KEYS_MISSING')
  t.match(missing?.message, /__kalla_bank primary key payment_id/, 'the missing key is named')
})

t.test('the SQL is checked against the file schema: a column it does not list is reported', async (t) => {
  const { bus } = await setup(t)
  const recipe = fileRecipe({ match_sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON p.reference_number = i.invoice_id AND p.amount = i.amount' })
  const validation = await bus.request(ValidateRecipe, { recipe })
  t.same(problemsOf(validation), [['RECIPES_SQL_INVALID', '/match_sql']])
  t.match(validation.problems[0]?.message, /"amount"/, "DuckDB's message names the unknown column")
  t.same(await bus.request(ValidateRecipe, { recipe: fileRecipe() }), { valid: true, problems: [] }, 'the same recipe with paid_amount is valid')
})

t.test('a misspelt column gets a did-you-mean, and a missing key column is reported with it', async (t) => {
  const { bus } = await setup(t)
  const recipe = fileRecipe({ match_sql: 'SELECT i.invoice_id FROM invoices i JOIN payments p ON p.refrence_number = i.invoice_id' })
  const validation = await bus.request(ValidateRecipe, { recipe })
  t.equal(validation.valid, false)
  t.same(problemsOf(validation), [['RECIPES_MATCH_KEYS_MISSING', '/match_sql'], ['RECIPES_SQL_INVALID', '/match_sql']], 'both at once')
  t.match(validation.problems.find((p) => p.code === 'RECIPES_SQL_INVALID')?.message, /"refrence_number".*Did you mean "reference_number"\?/)
  t.match(validation.problems.find((p) => p.code === 'RECIPES_MATCH_KEYS_MISSING')?.message, /payments primary key payment_id/)
})

t.test('a registered source is checked with the columns the sources service reports', async (t) => {
  const { bus, sources } = await setup(t)
  sources.set('invoices', { columns: [{ name: 'invoice_id', type: 'VARCHAR' }, { name: 'amount', type: 'DECIMAL(18,2)' }, { name: 'invoice_date', type: 'DATE' }] })
  const registered = (matchSql: string, uri = 'source:invoices', key = ['invoice_id']): Recipe => fileRecipe({
    match_sql: matchSql,
    sources: {
      left: { alias: 'invoices', type: 'postgres', uri, primary_key: key },
      right: { alias: 'payments', type: 'file', schema: ['payment_id', 'reference_number', 'paid_amount', 'payment_date'], primary_key: ['payment_id'] }
    }
  })
  const good = 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON p.reference_number = i.invoice_id AND tolerance_match(i.amount, p.paid_amount, 0.02) AND date_within(i.invoice_date, p.payment_date, 30)'
  t.same(await bus.request(ValidateRecipe, { recipe: registered(good) }), { valid: true, problems: [] })

  const unknown = await bus.request(ValidateRecipe, { recipe: registered('SELECT i.invoice_id, i.customer_id, p.payment_id FROM invoices i JOIN payments p ON p.reference_number = i.invoice_id') })
  t.same(problemsOf(unknown), [['RECIPES_SQL_INVALID', '/match_sql']])
  t.match(unknown.problems[0]?.message, /customer_id/)

  const wrongKey = await bus.request(ValidateRecipe, { recipe: registered(good, 'source:invoices', ['invoice_no']) })
  t.same(problemsOf(wrongKey), [['RECIPES_MATCH_KEYS_MISSING', '/match_sql'], ['RECIPES_PRIMARY_KEY_NOT_FOUND', '/sources/left/primary_key']])

  const missing = await bus.request(ValidateRecipe, { recipe: registered(good, 'source:erp') })
  t.same(problemsOf(missing), [['RECIPES_SOURCE_NOT_FOUND', '/sources/left/uri']])
  t.match(missing.problems[0]?.message, /"erp"/)
})

t.test('output columns must be distinct: keys of the same name take the alias prefix, a computed repeat is refused', async (t) => {
  const { bus } = await setup(t)
  const sameKeys = (select: string): Recipe => fileRecipe({
    match_sql: `SELECT ${select} FROM invoices i JOIN payments p ON p.ref = i.id`,
    sources: {
      left: { alias: 'invoices', type: 'file', schema: ['id', 'amount'], primary_key: ['id'] },
      right: { alias: 'payments', type: 'file', schema: ['id', 'ref'], primary_key: ['id'] }
    }
  })
  t.same(await bus.request(ValidateRecipe, { recipe: sameKeys('i.id, p.id') }), { valid: true, problems: [] }, 'repeated source columns become invoices_id and payments_id')
  const computed = await bus.request(ValidateRecipe, { recipe: sameKeys("i.id AS invoices_id, p.id AS payments_id, i.amount, 'x' AS amount") })
  t.same(problemsOf(computed), [['RECIPES_MATCH_COLUMNS_REPEATED', '/match_sql']])
  t.match(computed.problems.map((p) => p.message).join(' '), /invoices_amount.*payments_amount/s)
  t.same(await bus.request(ValidateRecipe, { recipe: sameKeys('i.id AS invoices_id, p.id AS payments_id') }), { valid: true, problems: [] })
})

t.test('every example recipe is valid, and the cross match is still checked for its keys', async (t) => {
  const { bus } = await setup(t)
  const dir = join(import.meta.dirname, '../../../examples/recipes')
  for (const name of await readdir(dir)) {
    const recipe = JSON.parse(await readFile(join(dir, name), 'utf8')) as Recipe
    t.same(await bus.request(ValidateRecipe, { recipe }), { valid: true, problems: [] }, name)
    if (name === 'cross.json') {
      const withoutPayment = { ...recipe, match_sql: recipe.match_sql.replace('SELECT i.invoice_id, p.payment_id,', 'SELECT i.invoice_id,') }
      t.same(problemsOf(await bus.request(ValidateRecipe, { recipe: withoutPayment })), [['RECIPES_MATCH_KEYS_MISSING', '/match_sql']])
    }
  }
})

t.test('a Postgres source given by a literal URI is read for its columns', async (t) => {
  const { bus, database, schema } = await setup(t)
  const data = `${schema}_erp`
  await sql`CREATE SCHEMA ${sql.id(data)}`.execute(database.db)
  t.teardown(async () => { await sql`DROP SCHEMA IF EXISTS ${sql.id(data)} CASCADE`.execute(database.db) })
  await sql`CREATE TABLE ${sql.id(data, 'invoices')} (invoice_id text PRIMARY KEY, amount numeric(12,2), invoice_date date)`.execute(database.db)
  await sql`INSERT INTO ${sql.id(data, 'invoices')} VALUES ('INV-1', 100.00, '2026-01-05')`.execute(database.db)
  const literal = (uri: string, matchSql: string, key = ['invoice_id']): Recipe => fileRecipe({
    match_sql: matchSql,
    sources: { ...fileRecipe().sources, left: { alias: 'invoices', type: 'postgres', uri, primary_key: key } }
  })
  const uri = `${PG_URL}?table=${data}.invoices`
  t.same(await bus.request(ValidateRecipe, { recipe: literal(uri, fileRecipe().match_sql) }, { timeoutMs: 30_000 }), { valid: true, problems: [] })

  const unknown = await bus.request(ValidateRecipe, { recipe: literal(uri, 'SELECT i.invoice_id, i.customer_id, p.payment_id FROM invoices i JOIN payments p ON p.reference_number = i.invoice_id') }, { timeoutMs: 30_000 })
  t.same(problemsOf(unknown), [['RECIPES_SQL_INVALID', '/match_sql']])

  const wrongKey = await bus.request(ValidateRecipe, { recipe: literal(uri, fileRecipe().match_sql, ['invoice_no']) }, { timeoutMs: 30_000 })
  t.same(problemsOf(wrongKey), [['RECIPES_MATCH_KEYS_MISSING', '/match_sql'], ['RECIPES_PRIMARY_KEY_NOT_FOUND', '/sources/left/primary_key']], 'as for a registered source')
  t.match(wrongKey.problems.find((p) => p.code === 'RECIPES_PRIMARY_KEY_NOT_FOUND')?.message, /invoice_id, amount, invoice_date/, 'the message lists the columns the table has')

  const unreachable = await bus.request(ValidateRecipe, { recipe: literal('postgres://postgres@127.0.0.1:1/erp?table=invoices', fileRecipe().match_sql) }, { timeoutMs: 30_000 })
  t.same(problemsOf(unreachable), [['RECIPES_SOURCE_UNREACHABLE', '/sources/left/uri']])
  t.notMatch(JSON.stringify(unreachable), /password/)
})

t.test('a recipe with a malformed field still has its SQL checked, both reported at once', async (t) => {
  const { bus } = await setup(t)
  const recipe = fileRecipe({ match_sql: "SELECT * FROM invoices i JOIN read_csv('/etc/passwd') x ON true" }) as unknown as { sources: { left: Record<string, unknown> } }
  recipe.sources.left.type = 'files'
  const validation = await bus.request(ValidateRecipe, { recipe })
  t.equal(validation.valid, false)
  const codes = problemsOf(validation).map(([code, path]) => `${code} ${path}`)
  t.ok(codes.includes('RECIPE_INVALID_FIELD /sources/left/type'), codes.join('; '))
  t.ok(codes.includes('ENGINE_SQL_FORBIDDEN /match_sql'), 'the SQL problem is there too')
  t.match(validation.problems.find((p) => p.path === '/sources/left/type')?.message, /Did you mean "file"\?/)
})
