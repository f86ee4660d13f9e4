import t from 'tap'
import { GetRecipe, SaveRecipe, type Recipe, type StoredRecipe } from '@kalla/proto'
import { graphqlOk } from '@kalla/testing'
import { storedRecipe } from './fixtures.ts'
import { startGateway } from './harness.ts'

// Reading options travel between GraphQL (camelCase, columns as a list of named entries) and the recipe
// contract (snake_case, columns keyed by name) unchanged, both ways.
const { bus, url } = await startGateway(t)
const saved: Recipe[] = []
await bus.serve(SaveRecipe, ({ recipe }) => {
  saved.push(recipe as Recipe)
  return { ...storedRecipe('r-options'), recipe: recipe as Recipe } satisfies StoredRecipe
}, { queue: 'recipes' })
await bus.serve(GetRecipe, () => ({ ...storedRecipe('r-options'), recipe: saved.at(-1)! }), { queue: 'recipes' })

const OPTIONS = `options {
  file { delimiter encoding headerRow sheet }
  columns { name type decimalSeparator thousandsSeparator dateFormat }
}`

t.test('a recipe source is saved with its reading options and read back with them', async (t) => {
  const input = {
    recipeId: 'r-options',
    name: 'Bank to ledger',
    matchSql: 'SELECT b."Booking date", l.id FROM bank b JOIN ledger l ON b.ref = l.id',
    left: {
      alias: 'bank',
      type: 'FILE',
      primaryKey: ['ref'],
      options: {
        file: { delimiter: ';', encoding: 'WINDOWS_1252', headerRow: 4 },
        columns: [
          { name: 'Betrag', type: 'DECIMAL', decimalSeparator: ',', thousandsSeparator: '.' },
          { name: 'Booking date', dateFormat: '%d.%m.%Y' },
          { name: 'Konto', type: 'TEXT' }
        ]
      }
    },
    right: { alias: 'ledger', type: 'POSTGRES', uri: 'source:erp', primaryKey: ['id'] }
  }
  const data = await graphqlOk<{ saveRecipe: { left: { options: unknown }, right: { options: unknown } } }>(url, `mutation ($input: RecipeInput!) { saveRecipe(input: $input) { left { ${OPTIONS} } right { ${OPTIONS} } } }`, { input })
  t.same(saved.at(-1)?.sources.left.options, {
    file: { delimiter: ';', encoding: 'windows-1252', header_row: 4 },
    columns: {
      Betrag: { type: 'decimal', decimal_separator: ',', thousands_separator: '.' },
      'Booking date': { date_format: '%d.%m.%Y' },
      Konto: { type: 'text' }
    }
  })
  t.equal(saved.at(-1)?.sources.right.options, undefined, 'a source without options has none')
  t.same(data.saveRecipe.left.options, {
    file: { delimiter: ';', encoding: 'WINDOWS_1252', headerRow: 4, sheet: null },
    columns: [
      { name: 'Betrag', type: 'DECIMAL', decimalSeparator: ',', thousandsSeparator: '.', dateFormat: null },
      { name: 'Booking date', type: null, decimalSeparator: null, thousandsSeparator: null, dateFormat: '%d.%m.%Y' },
      { name: 'Konto', type: 'TEXT', decimalSeparator: null, thousandsSeparator: null, dateFormat: null }
    ]
  })
  t.equal(data.saveRecipe.right.options, null)
  const read = await graphqlOk<{ recipe: { left: { options: unknown } } }>(url, `{ recipe(recipeId: "r-options") { left { ${OPTIONS} } } }`)
  t.same(read.recipe.left.options, data.saveRecipe.left.options, 'the same options come back')
})
