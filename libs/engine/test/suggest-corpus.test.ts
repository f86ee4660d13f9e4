import { join } from 'node:path'
import t, { type Test } from 'tap'
import { recipeJob, type Recipe, type SourceOptions } from '@kalla/proto'
import { corpusCases, corpusOutcome, type CorpusCase } from '@kalla/testing'
import { readResultPage, runJob, suggestRecipes, type Suggestion } from '../src/index.ts'
import { tempDir } from './fixtures.ts'

// The corpus cases a suggestion could not read before: a German bank statement and an SAP export, each
// with a title block above its header, and a card processor's payouts settled by one bank credit each.
// The ground truth (examples/files/*.expected.json) was computed by the corpus generator from the records
// it wrote, not by the engine; the best suggestion's run must give its counts and its very keys.
const dir = await tempDir(t)
const cases = (await corpusCases()).filter((c) => c.recipe.recipe_id === 'bank-de-erp' || c.recipe.recipe_id === 'card-settlement')

async function bestOf (t: Test, c: CorpusCase, options: Record<string, SourceOptions | undefined> = {}): Promise<Suggestion> {
  const [left, right] = [c.recipe.sources.left.alias, c.recipe.sources.right.alias]
  const source = (alias: string): Parameters<typeof suggestRecipes>[0] => ({ alias, type: 'file', uri: c.files[alias]!, ...(options[alias] === undefined ? {} : { options: options[alias] }) })
  const result = await suggestRecipes(source(left), source(right), { workDir: dir })
  t.equal(result.none, undefined, 'a recipe is found')
  const best = result.suggestions[0]
  if (best === undefined) throw new Error('no suggestion')
  return best
}

async function reproduces (t: Test, c: CorpusCase, s: Suggestion, name: string): Promise<void> {
  const recipe = s.recipe as Recipe
  const bindings = Object.fromEntries(Object.entries(c.files).map(([alias, uri]) => [alias, { uri, type: 'file' as const }]))
  const { job } = recipeJob(recipe, bindings, { run_id: name, output_path: join(dir, `out-${name}`) })
  const done = await runJob(job!, { workDir: dir })
  const counts = ['total_left', 'total_right', 'matched_count', 'matched_left', 'matched_right', 'unmatched_left_count', 'unmatched_right_count'] as const
  t.same(Object.fromEntries(counts.map((k) => [k, done[k]])), Object.fromEntries(counts.map((k) => [k, c.expected[k]])), 'every count')
  const rows = async (path: string): Promise<Record<string, unknown>[]> => (await readResultPage(path, { limit: 100_000, offset: 0 })).rows
  const outcome = corpusOutcome(recipe, { matched: await rows(done.outputs.matched), unmatched_left: await rows(done.outputs.unmatched_left), unmatched_right: await rows(done.outputs.unmatched_right) })
  t.same(outcome.matched, c.expected.matched, 'the matched key pairs')
  t.same(outcome.unmatched_left, c.expected.unmatched_left, 'the unmatched left keys')
  t.same(outcome.unmatched_right, c.expected.unmatched_right, 'the unmatched right keys')
}

for (const [i, c] of cases.entries()) {
  t.test(`with no reading options, the best suggestion for ${c.name} reproduces the ground truth`, async (t) => {
    const s = await bestOf(t, c)
    t.same(s.recipe.sources.left.primary_key, c.recipe.sources.left.primary_key)
    t.same(s.recipe.sources.right.primary_key, c.recipe.sources.right.primary_key)
    if (c.recipe.recipe_id === 'bank-de-erp') {
      t.equal(s.pattern, 'one_to_one')
      t.match(s.recipe.match_sql, /regexp_extract\("bank"\."Verwendungszweck", '009\[0-9\]\{7\}'\)/, 'the ten-digit document number is found inside the purpose')
      t.same([s.recipe.sources.left.options?.file?.header_row, s.recipe.sources.right.options?.file?.header_row], [5, 5], 'the recipe says where each header is')
    } else {
      t.equal(s.pattern, 'batch', 'one bank credit pays out many settlement lines')
      t.match(s.recipe.match_sql, /sum\("stripe"\."net"\)/)
      t.match(s.recipe.match_sql, /regexp_extract\("bank"\."Description", 'po_\[A-Za-z0-9\]\+'\)/)
    }
    await reproduces(t, c, s, `plain-${i}`)
  })
}

t.test('reading options given for a source are used, kept in the suggested recipe, and merged with a header found', async (t) => {
  const c = cases.find((k) => k.recipe.recipe_id === 'bank-de-erp' && k.files.erp!.endsWith('.txt'))!
  const bank: SourceOptions = { file: { delimiter: ';', encoding: 'windows-1252' }, columns: { Betrag: { type: 'decimal', decimal_separator: ',', thousands_separator: '.' } } }
  const erp: SourceOptions = { file: { header_row: 5 }, columns: { 'Document No.': { type: 'text' } } }
  const s = await bestOf(t, c, { bank, erp })
  t.same(s.recipe.sources.left.options, erp, 'the given options as they were')
  t.same(s.recipe.sources.right.options, { ...bank, file: { ...bank.file, header_row: 5 } }, 'the given options and the header line found')
  await reproduces(t, c, s, 'given')
})
