import t from 'tap'
import { fileBindings, toInput } from '../src/recipe-draft.ts'
import { aliasFor, draftFromRecipeFile, suggestSource, type RecipeFile } from '../src/recipe-file.ts'

// A suggestion in the recipe-file format, over an uploaded file and a registered source, with a two-column
// key and reading options: the form must save all of it back through RecipeInput.
const recipe: RecipeFile = {
  recipe_id: 'ledger-to-bank',
  name: 'ledger to bank, one to one',
  match_sql: 'SELECT 1',
  match_description: 'By the invoice number.',
  sources: {
    left: { alias: 'ledger', type: 'file', schema: ['entity', 'invoice_id', 'amount'], primary_key: ['entity', 'invoice_id'], options: { file: { delimiter: ';', encoding: 'windows-1252', header_row: 2 }, columns: { amount: { type: 'decimal', decimal_separator: ',', thousands_separator: '.' } } } },
    right: { alias: 'bank', type: 'postgres', uri: 'source:bank_lines', primary_key: ['line_id'] }
  }
}
const left = { alias: 'ledger', uploadId: 'u-1', columns: ['entity', 'invoice_id', 'amount'] }
const right = { alias: 'bank', uri: 'source:bank_lines', columns: ['line_id', 'memo'] }

t.test('a suggested recipe fills the form, and the form saves its keys, options and URI unchanged', async (t) => {
  const draft = draftFromRecipeFile(recipe, left, right)
  t.same([draft.recipeId, draft.name, draft.matchSql, draft.matchDescription], ['ledger-to-bank', 'ledger to bank, one to one', 'SELECT 1', 'By the invoice number.'])
  t.equal(draft.left.uploadId, 'u-1', 'the file source is bound to the upload that was read')
  t.same(fileBindings(draft), [{ alias: 'ledger', uploadId: 'u-1' }], 'and only the file source is bound')
  const input = toInput(draft)
  t.same(input.left.primaryKey, ['entity', 'invoice_id'], 'the two-column key survives')
  t.same(input.left.options, {
    file: { delimiter: ';', encoding: 'WINDOWS_1252', headerRow: 2, sheet: undefined },
    columns: [{ name: 'amount', type: 'DECIMAL', decimalSeparator: ',', thousandsSeparator: '.', dateFormat: undefined }]
  }, 'reading options become GraphQL input, enums in upper case')
  t.same([input.left.type, input.left.schema], ['FILE', ['entity', 'invoice_id', 'amount']])
  t.same({ type: input.right.type, uri: input.right.uri, primaryKey: input.right.primaryKey }, { type: 'POSTGRES', uri: 'source:bank_lines', primaryKey: ['line_id'] }, 'the registered source keeps its URI')
})

t.test('a picked source is asked for by upload or by URI', async (t) => {
  t.same(suggestSource(left), { alias: 'ledger', uploadId: 'u-1' })
  t.same(suggestSource(right), { alias: 'bank', uri: 'source:bank_lines' })
})

t.test('a file\'s alias is its name as a table name', async (t) => {
  t.equal(aliasFor('invoices.csv'), 'invoices')
  t.equal(aliasFor('Bank Statement 2026-11.xlsx'), 'bank_statement_2026_11')
  t.equal(aliasFor('2026 payments.csv'), 's_2026_payments')
})
