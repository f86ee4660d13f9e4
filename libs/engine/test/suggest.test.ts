import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { expectedResults, generateDataset, type Expected, type Shares } from '@kalla/datagen'
import { recipeJob, type Recipe } from '@kalla/proto'
import { runJob, suggestRecipes, type Suggestion } from '../src/index.ts'
import { tempDir, writeText } from './fixtures.ts'

// The best suggestion on the generator's data must be the recipe the ground truth describes: its run
// reproduces the counts computed in plain JavaScript with integer cents.
const dir = await tempDir(t)
const NONE: Shares = { exact: 0, withinTolerance: 0, beyondTolerance: 0, late: 0, split: 0, batch: 0, cross: 0, orphanInvoice: 0.05, orphanPayment: 0.03 }

async function dataset (name: string, shares: Partial<Shares>): Promise<{ invoices: string, payments: string, truth: Awaited<ReturnType<typeof expectedResults>> }> {
  const data = await generateDataset({ outDir: join(dir, name), invoices: 3000, seed: 20261201, formats: ['csv'], shares: { ...NONE, ...shares } })
  return { invoices: data.invoicesPath, payments: data.paymentsPath, truth: await expectedResults(data.invoicesPath, data.paymentsPath) }
}

async function best (t: Test, left: { alias: string, uri: string }, right: { alias: string, uri: string }): Promise<Suggestion> {
  const result = await suggestRecipes({ ...left, type: 'file' }, { ...right, type: 'file' }, { workDir: dir })
  t.equal(result.none, undefined, 'a recipe is found')
  const first = result.suggestions[0]
  if (first === undefined) throw new Error('no suggestion')
  t.ok(first.evidence.length >= 3, 'the suggestion says why')
  t.ok(first.recipe.match_description.length > 40, 'and what it matches in words')
  return first
}

async function runCounts (suggestion: Suggestion, uris: Record<string, string>, name: string): Promise<Pick<Expected, 'matched_count' | 'unmatched_left_count' | 'unmatched_right_count'>> {
  const bindings = Object.fromEntries(Object.entries(uris).map(([alias, uri]) => [alias, { uri, type: 'file' as const }]))
  const { job } = recipeJob(suggestion.recipe as Recipe, bindings, { run_id: name, output_path: join(dir, `out-${name}`) })
  const done = await runJob(job!, { workDir: dir })
  return { matched_count: done.matched_count, unmatched_left_count: done.unmatched_left_count, unmatched_right_count: done.unmatched_right_count }
}

const counts = (e: Expected): ReturnType<typeof runCounts> extends Promise<infer C> ? C : never =>
  ({ matched_count: e.matched_count, unmatched_left_count: e.unmatched_left_count, unmatched_right_count: e.unmatched_right_count })

const sides = (d: { invoices: string, payments: string }): [{ alias: string, uri: string }, { alias: string, uri: string }] =>
  [{ alias: 'invoices', uri: d.invoices }, { alias: 'payments', uri: d.payments }]

t.test('one to one with a tolerance: the reference joins the invoice number, amounts within 0.02, dates not compared', async (t) => {
  const d = await dataset('one-to-one', { exact: 0.6, withinTolerance: 0.25, beyondTolerance: 0.1 })
  const s = await best(t, ...sides(d))
  t.equal(s.pattern, 'one_to_one')
  t.same([s.recipe.sources.left.primary_key, s.recipe.sources.right.primary_key], [['invoice_id'], ['payment_id']])
  t.match(s.recipe.match_sql, /"invoices"\."invoice_id" = "payments"\."reference_number"/)
  t.match(s.recipe.match_sql, /tolerance_match\("invoices"\."amount", "payments"\."paid_amount", 0\.02\)/)
  t.notMatch(s.recipe.match_sql, /date_within/)
  t.same(await runCounts(s, { invoices: d.invoices, payments: d.payments }, 'one-to-one'), counts(d.truth['one-to-one']))
})

t.test('late payments: the suggestion adds a 30-day window that leaves them for review', async (t) => {
  const d = await dataset('window', { exact: 0.6, withinTolerance: 0.2, beyondTolerance: 0.05, late: 0.08 })
  const s = await best(t, ...sides(d))
  t.equal(s.pattern, 'one_to_one')
  t.match(s.recipe.match_sql, /date_within\("invoices"\."invoice_date", "payments"\."payment_date", 30\)/)
  t.match(s.evidence.join(' '), /within 30 days/)
  t.same(await runCounts(s, { invoices: d.invoices, payments: d.payments }, 'window'), counts(d.truth['one-to-one-window']))
})

t.test('invoices paid in parts: the join meets several payments per invoice, so the best recipe sums them', async (t) => {
  const d = await dataset('split', { exact: 0.3, withinTolerance: 0.05, split: 0.6 })
  const s = await best(t, ...sides(d))
  t.equal(s.pattern, 'split')
  t.match(s.recipe.match_sql, /sum\("payments"\."paid_amount"\)/)
  t.match(s.recipe.match_sql, /0\.02/)
  t.same(await runCounts(s, { invoices: d.invoices, payments: d.payments }, 'split'), counts(d.truth.split))
})

t.test('batches: payments quote a batch reference shared by several invoices, so the best recipe sums the invoices', async (t) => {
  const d = await dataset('batch', { exact: 0.15, withinTolerance: 0.05, batch: 0.8 })
  const s = await best(t, ...sides(d))
  t.equal(s.pattern, 'batch')
  t.match(s.recipe.match_sql, /"payments"\."reference_number" = kalla_groups\.v/)
  t.match(s.recipe.match_sql, /sum\("invoices"\."amount"\)/)
  t.same(await runCounts(s, { invoices: d.invoices, payments: d.payments }, 'batch'), counts(d.truth.batch))
})

t.test('on the finance corpus the best suggestion finds the reference inside the bank text and reproduces the ground truth', async (t) => {
  const files = new URL('../../../examples/files/', import.meta.url).pathname
  const cases = [['bank-us', 'bank-us-ledger.csv', 'bank-us-statement.csv'], ['bank-us', 'bank-us-ledger.csv', 'bank-us-statement.xlsx'], ['bank-uk', 'bank-uk-ledger.csv', 'bank-uk-statement.csv'], ['bank-fr', 'bank-fr-ledger.csv', 'bank-fr-statement.csv']] as const
  for (const [name, ledger, bank] of cases) {
    const truth = JSON.parse(await readFile(join(files, `${name}.expected.json`), 'utf8')) as Expected
    const s = await best(t, { alias: 'ledger', uri: join(files, ledger) }, { alias: 'bank', uri: join(files, bank) })
    t.match(s.recipe.match_sql, /regexp_extract/, `${bank}: the invoice number is found inside the bank text`)
    t.same(await runCounts(s, { ledger: join(files, ledger), bank: join(files, bank) }, `${name}-${bank.replace(/\W/g, '')}`), counts(truth), `${ledger} against ${bank}`)
  }
})

t.test('two unrelated files: no good recipe rather than a poor one, even when both have ids 1, 2, 3 ...', async (t) => {
  const staff = ['id,name,salary,hired', ...Array.from({ length: 200 }, (_, i) => `${i + 1},Person ${i + 1},${(30000 + i * 137.25).toFixed(2)},2020-01-${String(1 + (i % 28)).padStart(2, '0')}`)].join('\n')
  const stock = ['id,sku,price,restocked', ...Array.from({ length: 150 }, (_, i) => `${i + 1},SKU-${(i * 7919) % 10007},${(3 + (i * 13) % 97).toFixed(2)},2024-06-${String(1 + (i % 28)).padStart(2, '0')}`)].join('\n')
  const result = await suggestRecipes(
    { alias: 'staff', type: 'file', uri: await writeText(dir, 'staff.csv', staff) },
    { alias: 'stock', type: 'file', uri: await writeText(dir, 'stock.csv', stock) }, { workDir: dir })
  t.same(result.suggestions, [])
  t.match(result.none, /^No good recipe found: /)
  t.match(result.none, /amounts mostly disagree/)
})

t.test('a suggestion past its time limit stops with ENGINE_TIMEOUT and leaves no temporary directory', async (t) => {
  const d = await dataset('timeout', { exact: 0.6, withinTolerance: 0.25, beyondTolerance: 0.1 })
  const work = join(dir, 'timeout-work')
  const error = await suggestRecipes({ alias: 'invoices', type: 'file', uri: d.invoices }, { alias: 'payments', type: 'file', uri: d.payments }, { workDir: work, timeoutMs: 5 }).then(() => undefined, (e: unknown) => e)
  t.match(error, { code: 'ENGINE_TIMEOUT' })
  t.same((await readdir(work).catch(() => [])).filter((name) => name.startsWith('kalla-job-')), [], 'the sandbox directory is removed')
})
