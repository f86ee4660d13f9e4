import t from 'tap'
import { recipeProblems, type Recipe } from '../src/index.ts'

const valid: Recipe = {
  recipe_id: 'invoice-payment',
  name: 'Invoice-Payment Reconciliation',
  match_sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON i.invoice_id = p.reference_number',
  sources: {
    left: { alias: 'invoices', type: 'postgres', uri: 'postgres://u:p@h/db?table=invoices', primary_key: ['invoice_id'] },
    right: { alias: 'payments', type: 'file', schema: ['payment_id', 'reference_number'], primary_key: ['payment_id'] }
  }
}

const codes = (value: unknown) => recipeProblems(value).map((p) => p.code).sort()

t.test('a well-formed recipe has no problems', async (t) => {
  t.same(recipeProblems(valid), [])
})

t.test('every rule violated at once is reported at once', async (t) => {
  const bad = structuredClone(valid)
  bad.match_sql = '   '
  bad.sources.right.alias = 'INVOICES'
  bad.sources.left.primary_key = []
  bad.sources.left.uri = undefined
  bad.sources.right.schema = undefined
  t.same(codes(bad), ['RECIPE_ALIASES_NOT_DISTINCT', 'RECIPE_FILE_SCHEMA_MISSING', 'RECIPE_MATCH_SQL_EMPTY', 'RECIPE_PRIMARY_KEY_EMPTY', 'RECIPE_URI_MISSING'])
})

t.test('aliases must be plain SQL identifiers that are not keywords', async (t) => {
  const digits = structuredClone(valid)
  digits.sources.left.alias = '1nvoices'
  t.ok(codes(digits).includes('RECIPE_INVALID_FIELD'), 'a leading digit fails the schema pattern')
  const keyword = structuredClone(valid)
  keyword.sources.left.alias = 'select'
  t.same(codes(keyword), ['RECIPE_ALIAS_INVALID'])
})

t.test('a file primary key must be one of the schema columns', async (t) => {
  const bad = structuredClone(valid)
  bad.sources.right.primary_key = ['payment_ref']
  const problems = recipeProblems(bad)
  t.equal(problems[0]?.code, 'RECIPE_PRIMARY_KEY_NOT_IN_SCHEMA')
  t.equal(problems[0]?.path, '/sources/right/primary_key')
  t.match(problems[0]?.message, /payment_ref/)
})

t.test('a value that is not a recipe names the offending fields', async (t) => {
  const problems = recipeProblems({ recipe_id: 'x', name: 'y', sources: {} })
  t.ok(problems.length > 0)
  t.ok(problems.every((p) => p.code === 'RECIPE_INVALID_FIELD'))
  t.ok(problems.some((p) => /match_sql/.test(p.message)))
})

t.test('shape problems name the field, list what is allowed and suggest the nearest name, all at once', async (t) => {
  const bad = structuredClone(valid) as unknown as { sources: Record<string, Record<string, unknown>> }
  const left = bad.sources.left!
  left.primarykey = left.primary_key
  delete left.primary_key
  left.type = 'postgress'
  bad.sources.right!.options = { columns: { Amount: { type: 'decimals' } } }
  const problems = recipeProblems(bad)
  const at = (path: string) => problems.find((p) => p.path === path)?.message ?? ''
  t.match(at('/sources/left/primary_key'), /missing the field "primary_key"/)
  t.match(at('/sources/left/primarykey'), /unknown field "primarykey"\. Did you mean "primary_key"\?/)
  t.match(at('/sources/left/type'), /"postgress", which is not allowed: use one of postgres, bigquery, elasticsearch, file\. Did you mean "postgres"\?/)
  t.match(at('/sources/right/options/columns/Amount/type'), /use one of text, integer, decimal, date, timestamp, boolean\. Did you mean "decimal"\?/)
  t.equal(problems.length, 4, 'a missing and an unknown field at the same place are both reported')
})
