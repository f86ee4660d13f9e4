import t from 'tap'
import { DeleteRecipe, GetRecipe, ListRecipes, SaveRecipe } from '@kalla/proto'
import { codeOf, failure, fileRecipe, setup } from './fixtures.ts'

t.test('a saved recipe can be read, listed by name, replaced and deleted', async (t) => {
  const { bus } = await setup(t)
  const payments = fileRecipe({ recipe_id: 'b-payments', name: 'Payments' })
  const bank = fileRecipe({ recipe_id: 'a-bank', name: 'Bank statement', description: 'Monthly' })
  const saved = await bus.request(SaveRecipe, { recipe: payments })
  t.same(saved.recipe, payments)
  t.equal(saved.created_at, saved.updated_at, 'a new recipe was created and updated at once')
  await bus.request(SaveRecipe, { recipe: bank })

  t.same((await bus.request(GetRecipe, { recipe_id: 'b-payments' })).recipe, payments)
  t.same((await bus.request(ListRecipes, {})).recipes.map((r) => r.recipe.name), ['Bank statement', 'Payments'], 'listed by name')

  const renamed = { ...payments, name: 'All payments', match_description: 'Same reference, amounts within 2 cents' }
  const replaced = await bus.request(SaveRecipe, { recipe: renamed })
  t.same(replaced.recipe, renamed)
  t.equal(replaced.created_at, saved.created_at, 'replacing keeps when the recipe was created')
  t.ok(replaced.updated_at > saved.updated_at, 'and records when it changed')
  t.same((await bus.request(ListRecipes, {})).recipes.map((r) => r.recipe.recipe_id), ['b-payments', 'a-bank'])

  t.same(await bus.request(DeleteRecipe, { recipe_id: 'b-payments' }), { deleted: true })
  t.same(await bus.request(DeleteRecipe, { recipe_id: 'b-payments' }), { deleted: false }, 'deleting twice deletes nothing')
  t.equal(await codeOf(bus.request(GetRecipe, { recipe_id: 'b-payments' })), 'RECIPES_NOT_FOUND')
  t.same((await bus.request(ListRecipes, {})).recipes.map((r) => r.recipe.recipe_id), ['a-bank'])
})

t.test('saving a recipe with problems is refused with every problem and its code, and stores nothing', async (t) => {
  const { bus } = await setup(t)
  const broken = fileRecipe({
    match_sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON p.reference_number = i.invoice_no',
    sources: {
      left: { alias: 'invoices', type: 'file', schema: ['invoice_id', 'amount'], primary_key: [] },
      right: { alias: 'payments', type: 'postgres', primary_key: ['payment_id'] }
    }
  })
  const error = await failure(bus.request(SaveRecipe, { recipe: broken }))
  t.equal(error.code, 'RECIPES_INVALID')
  const codes = ['RECIPE_PRIMARY_KEY_EMPTY', 'RECIPE_URI_MISSING']
  t.same(error.problems?.map((p) => p.code).sort(), codes)
  for (const code of codes) t.match(error.message, code, `the message names ${code}`)
  t.equal(await codeOf(bus.request(GetRecipe, { recipe_id: broken.recipe_id })), 'RECIPES_NOT_FOUND')

  const unknownColumn = fileRecipe({ match_sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON p.reference_number = i.invoice_no' })
  const refused = await failure(bus.request(SaveRecipe, { recipe: unknownColumn }))
  t.same(refused.problems?.map((p) => [p.code, p.path]), [['RECIPES_SQL_INVALID', '/match_sql']])
  t.match(refused.message, /RECIPES_SQL_INVALID.*invoice_no/)

  const notARecipe = await failure(bus.request(SaveRecipe, { recipe: { recipe_id: 'x' } }))
  t.equal(notARecipe.code, 'RECIPES_INVALID')
  t.ok((notARecipe.problems ?? []).every((p) => p.code === 'RECIPE_INVALID_FIELD'), 'a value without the recipe shape lists its missing fields')
  t.same((await bus.request(ListRecipes, {})).recipes, [])
})
