import t from 'tap'
import { sql } from 'kysely'
import { GetRecipe, ListRecipes, PreviewRecipe, SaveRecipe, ValidateRecipe, type Recipe } from '@kalla/proto'
import { codeOf, failure, fileRecipe, setup } from './fixtures.ts'

const PASSWORD = 'Hunter2-not-in-any-answer'

const withUri = (uri: string): Recipe => fileRecipe({
  recipe_id: 'inline',
  sources: {
    left: { alias: 'invoices', type: 'postgres', uri, primary_key: ['invoice_id'] },
    right: { alias: 'payments', type: 'file', schema: ['payment_id', 'reference_number', 'paid_amount'], primary_key: ['payment_id'] }
  }
})

t.test('a recipe whose uri carries a credential is refused by save, validate and preview, naming the fix and not the secret', async (t) => {
  const { bus } = await setup(t)
  for (const uri of [`postgres://app:${PASSWORD}@127.0.0.1:1/erp?table=invoices`, `postgres://app@127.0.0.1:1/erp?table=invoices&password=${PASSWORD}`]) {
    const recipe = withUri(uri)
    const saved = await failure(bus.request(SaveRecipe, { recipe }))
    t.equal(saved.code, 'RECIPES_INVALID')
    t.same(saved.problems?.map((p) => [p.code, p.path]), [['RECIPES_URI_HAS_CREDENTIALS', '/sources/left/uri']], 'the only problem: the source was never connected to')
    t.match(saved.message, /register the source .* "uri": "source:<alias>"/)
    const validation = await bus.request(ValidateRecipe, { recipe })
    t.same(validation.problems.map((p) => p.code), ['RECIPES_URI_HAS_CREDENTIALS'])
    const preview = await failure(bus.request(PreviewRecipe, { recipe, sample_rows: 10, row_limit: 10 }))
    t.equal(preview.code, 'RECIPES_INVALID')
    t.notMatch(JSON.stringify([saved, saved.message, validation, preview, preview.message]), PASSWORD)
  }
  t.equal(await codeOf(bus.request(GetRecipe, { recipe_id: 'inline' })), 'RECIPES_NOT_FOUND')
  const plain = withUri('postgres://app@127.0.0.1:1/erp?table=invoices')
  t.same((await bus.request(ValidateRecipe, { recipe: plain })).problems.map((p) => p.code), ['RECIPES_SOURCE_UNREACHABLE'], 'a uri without credentials is still checked as before')
})

t.test('a recipe stored with a password before it was refused is answered with the password masked', async (t) => {
  const { bus, database, schema } = await setup(t)
  const legacy = withUri(`postgres://app:${PASSWORD}@db:5432/erp?table=invoices`)
  await sql`INSERT INTO ${sql.id(schema, 'recipes')} (recipe_id, recipe, updated_at) VALUES ('inline', ${JSON.stringify(legacy)}, now())`.execute(database.db)
  const got = await bus.request(GetRecipe, { recipe_id: 'inline' })
  t.equal(got.recipe.sources.left.uri, 'postgres://app:***@db:5432/erp?table=invoices')
  const listed = await bus.request(ListRecipes, {})
  t.notMatch(JSON.stringify([got, listed]), PASSWORD)
})
