import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { graphqlOk, uploadFile, waitFor } from '@kalla/testing'
import { startSingle } from './harness.ts'

// The whole path a console takes: upload two files, ask suggestRecipes, import the best recipe as it is
// and run it; the counts are the corpus's ground truth (examples/files/bank-us.expected.json).
const { url, dir } = await startSingle(t, 10)
const files = new URL('../../../examples/files/', import.meta.url).pathname

interface Suggestions { suggestRecipes: { suggestions: { rank: number, pattern: string, matchSql: string, evidence: string[], preview: { matchRate: number }, recipe: { recipe_id: string } }[], noGoodRecipe: string | null, notes: string[] } }
const SUGGEST = 'mutation ($sources: [SuggestSourceInput!]!) { suggestRecipes(sources: $sources, limit: 3) { suggestions { rank pattern matchSql matchDescription evidence preview { matchedLeft matchedRight matchRate } recipe } noGoodRecipe notes } }'

t.test('suggestRecipes over GraphQL proposes the bank recipe, and the imported suggestion runs to the ground truth', async (t) => {
  const ledger = await uploadFile(`${url}/uploads`, join(files, 'bank-us-ledger.csv'), 'bank-us-ledger.csv')
  const bank = await uploadFile(`${url}/uploads`, join(files, 'bank-us-statement.xlsx'), 'bank-us-statement.xlsx')
  const answer = await graphqlOk<Suggestions>(url, SUGGEST, { sources: [{ alias: 'ledger', uploadId: ledger.uploadId }, { alias: 'bank', uploadId: bank.uploadId }] })
  const { suggestions, noGoodRecipe } = answer.suggestRecipes
  t.equal(noGoodRecipe, null)
  const best = suggestions[0]!
  t.equal(best.pattern, 'ONE_TO_ONE')
  t.match(best.matchSql, /regexp_extract\("bank"\."Description", 'INV\\-\[0-9\]\+'\)/)
  t.match(best.evidence.join(' '), /of bank\.Description values contain a value of ledger\.invoice_id/)
  const imported = await graphqlOk<{ importRecipe: { recipeId: string } }>(url, 'mutation ($recipe: JSON!) { importRecipe(recipe: $recipe) { recipeId } }', { recipe: best.recipe })
  const started = await graphqlOk<{ startRun: { runId: string } }>(url, 'mutation ($input: StartRunInput!) { startRun(input: $input) { runId } }',
    { input: { recipeId: imported.importRecipe.recipeId, files: [{ alias: 'ledger', uploadId: ledger.uploadId }, { alias: 'bank', uploadId: bank.uploadId }] } })
  const run = await waitFor(async () => {
    const found = (await graphqlOk<{ run: { status: string, matchedCount: number, unmatchedLeftCount: number, unmatchedRightCount: number } }>(url,
      'query ($id: ID!) { run(runId: $id) { status matchedCount unmatchedLeftCount unmatchedRightCount } }', { id: started.startRun.runId })).run
    return ['COMPLETED', 'FAILED'].includes(found.status) ? found : undefined
  }, 60_000, 'the run to end')
  const truth = JSON.parse(await readFile(join(files, 'bank-us.expected.json'), 'utf8'))
  t.same(run, { status: 'COMPLETED', matchedCount: truth.matched_count, unmatchedLeftCount: truth.unmatched_left_count, unmatchedRightCount: truth.unmatched_right_count })
})

t.test('two unrelated uploads: no suggestion, and the answer says why', async (t) => {
  await writeFile(join(dir, 'colours.csv'), 'code,colour,price\n' + Array.from({ length: 40 }, (_, i) => `C${i * 13},red,${i}.50`).join('\n'))
  await writeFile(join(dir, 'towns.csv'), 'town,zip,rent\n' + Array.from({ length: 40 }, (_, i) => `Town ${i},Z${1000 + i * 7},${900 + i}.00`).join('\n'))
  const a = await uploadFile(`${url}/uploads`, join(dir, 'colours.csv'), 'colours.csv')
  const b = await uploadFile(`${url}/uploads`, join(dir, 'towns.csv'), 'towns.csv')
  const answer = await graphqlOk<Suggestions>(url, SUGGEST, { sources: [{ alias: 'colours', uploadId: a.uploadId }, { alias: 'towns', uploadId: b.uploadId }] })
  t.same(answer.suggestRecipes.suggestions, [])
  t.match(answer.suggestRecipes.noGoodRecipe, /^No good recipe found: /)
})

t.test('suggestRecipes takes reading options per source, finds the header below a title block, and the recipe carries both', async (t) => {
  const erp = await uploadFile(`${url}/uploads`, join(files, 'erp-invoices-sap.xlsx'), 'erp-invoices-sap.xlsx')
  const bank = await uploadFile(`${url}/uploads`, join(files, 'bank-de-statement.csv'), 'bank-de-statement.csv')
  const options = { file: { encoding: 'WINDOWS_1252' }, columns: [{ name: 'Betrag', type: 'DECIMAL', decimalSeparator: ',', thousandsSeparator: '.' }] }
  const answer = await graphqlOk<Suggestions>(url, SUGGEST, { sources: [{ alias: 'erp', uploadId: erp.uploadId }, { alias: 'bank', uploadId: bank.uploadId, options }] })
  const best = answer.suggestRecipes.suggestions[0]!
  t.equal(answer.suggestRecipes.noGoodRecipe, null)
  t.match(answer.suggestRecipes.notes.join(' '), /erp: the column names are on row 5, below a title block/)
  const recipe = best.recipe as unknown as { sources: Record<'left' | 'right', { options?: unknown }> }
  t.same(recipe.sources.left.options, { file: { header_row: 5 } })
  t.same(recipe.sources.right.options, { file: { encoding: 'windows-1252', header_row: 5 }, columns: { Betrag: { type: 'decimal', decimal_separator: ',', thousands_separator: '.' } } })
  const imported = await graphqlOk<{ importRecipe: { recipeId: string } }>(url, 'mutation ($recipe: JSON!) { importRecipe(recipe: $recipe) { recipeId } }', { recipe: best.recipe })
  const started = await graphqlOk<{ startRun: { runId: string } }>(url, 'mutation ($input: StartRunInput!) { startRun(input: $input) { runId } }',
    { input: { recipeId: imported.importRecipe.recipeId, files: [{ alias: 'erp', uploadId: erp.uploadId }, { alias: 'bank', uploadId: bank.uploadId }] } })
  const run = await waitFor(async () => {
    const found = (await graphqlOk<{ run: { status: string, matchedCount: number, unmatchedLeftCount: number, unmatchedRightCount: number } }>(url,
      'query ($id: ID!) { run(runId: $id) { status matchedCount unmatchedLeftCount unmatchedRightCount } }', { id: started.startRun.runId })).run
    return ['COMPLETED', 'FAILED'].includes(found.status) ? found : undefined
  }, 60_000, 'the run to end')
  const truth = JSON.parse(await readFile(join(files, 'bank-de-erp.expected.json'), 'utf8'))
  t.same(run, { status: 'COMPLETED', matchedCount: truth.matched_count, unmatchedLeftCount: truth.unmatched_left_count, unmatchedRightCount: truth.unmatched_right_count })
})
