import { keysSha256 } from '@kalla/datagen'
import type { Recipe, RecipeSource } from '@kalla/proto'
import { uploadFile, type FlowData } from './flow.ts'
import type { Test } from 'tap'
import { authHeaders, graphqlOk, parseCsv, watch, wsClient } from './graphql.ts'

const RUN_FIELDS = 'runId status stage matchedCount unmatchedLeftCount unmatchedRightCount totalLeft totalRight error { code message } outputs { matched } recipe { recipeId name }'
const KINDS = [['MATCHED', 'matched', 'matched_count'], ['UNMATCHED_LEFT', 'unmatched_left', 'unmatched_left_count'], ['UNMATCHED_RIGHT', 'unmatched_right', 'unmatched_right_count']] as const

export interface GqlRun { runId: string, status: string, matchedCount: number, unmatchedLeftCount: number, unmatchedRightCount: number, totalLeft: number, totalRight: number, recipe: { recipeId: string } }
interface Page { kind: string, columns: Array<{ name: string, type: string }>, rows: Array<Record<string, unknown>>, totalCount: number, offset: number }

/** The recipe as GraphQL input (camelCase, uppercase enums). */
export function recipeInput (recipe: Recipe) {
  const source = (s: RecipeSource) => ({ alias: s.alias, type: s.type.toUpperCase(), ...(s.uri === undefined ? {} : { uri: s.uri }), ...(s.schema === undefined ? {} : { schema: s.schema }), primaryKey: s.primary_key })
  return { recipeId: recipe.recipe_id, name: recipe.name, description: recipe.description, matchSql: recipe.match_sql, left: source(recipe.sources.left), right: source(recipe.sources.right) }
}

/**
 * The whole flow as a client does it, through the gateway only: upload, register a source, save, validate
 * and preview the recipe, start a run and follow it live to COMPLETED, page through every result and
 * download each as CSV. Asserts each step against the ground truth of `data`.
 */
export async function graphqlFlow (t: Test, baseUrl: string, data: FlowData, sourceUrl: string): Promise<GqlRun> {
  const upload = await uploadFile(`${baseUrl}/uploads`, data.paymentsCsv, 'bank-statement.csv')
  t.ok(upload.columns.some((c) => c.name === 'reference_number'), 'the upload reports its columns')
  const uri = new URL(sourceUrl)
  uri.searchParams.set('table', data.invoicesTable)
  const registered = await graphqlOk<{ registerSource: { alias: string, type: string, uri: string, columns: unknown[] } }>(baseUrl,
    'mutation ($input: RegisterSourceInput!) { registerSource(input: $input) { alias type uri columns { name type } } }', { input: { alias: 'erp_invoices', type: 'POSTGRES', uri: uri.toString() } })
  t.equal(registered.registerSource.type, 'POSTGRES')
  t.ok(registered.registerSource.columns.length >= 6, 'the source reports its columns')
  const input = recipeInput(data.recipe)
  const saved = await graphqlOk<{ saveRecipe: { recipeId: string, matchDescription: string, left: { primaryKey: string[] } } }>(baseUrl,
    'mutation ($input: RecipeInput!) { saveRecipe(input: $input) { recipeId matchDescription left { primaryKey } } }', { input })
  t.same(saved.saveRecipe, { recipeId: data.recipe.recipe_id, matchDescription: '', left: { primaryKey: ['invoice_id'] } })
  const validation = await graphqlOk<{ validateRecipe: { valid: boolean, problems: unknown[] } }>(baseUrl, 'mutation ($input: RecipeInput!) { validateRecipe(input: $input) { valid problems { code } } }', { input })
  t.same(validation.validateRecipe, { valid: true, problems: [] })
  const files = [{ alias: 'payments', uploadId: upload.uploadId }]
  const preview = await graphqlOk<{ previewRecipe: { matchedCount: number, matched: unknown[] } }>(baseUrl,
    'mutation ($input: RecipeInput!, $files: [FileBinding!]) { previewRecipe(input: $input, files: $files, sampleRows: 500) { matchedCount unmatchedLeftCount matched } }', { input, files })
  t.ok(preview.previewRecipe.matchedCount > 0 && preview.previewRecipe.matched.length > 0, 'the preview matches some sampled rows')

  const client = wsClient(baseUrl)
  t.teardown(() => client.dispose())
  const updates = watch<{ runId: string, status: string }>(client, 'runUpdated', 'subscription { runUpdated { runId status recipe { recipeId } } }')
  const started = await graphqlOk<{ startRun: { runId: string, status: string } }>(baseUrl, 'mutation ($input: StartRunInput!) { startRun(input: $input) { runId status } }', { input: { recipeId: data.recipe.recipe_id, files } })
  t.equal(started.startRun.status, 'SUBMITTED')
  const runId = started.startRun.runId
  const progress = watch<{ status: string, stage: string | null }>(client, 'runProgress', 'subscription ($id: ID!) { runProgress(runId: $id) { runId status stage source progress matchedCount at } }', { id: runId })
  t.same(await progress.ended, {}, 'the progress subscription completes')
  t.equal(progress.values.at(-1)?.status, 'COMPLETED', `progress ends in COMPLETED (${progress.values.map((v) => v.status).join(' ')})`)
  t.ok(progress.values.slice(0, -1).every((v) => ['SUBMITTED', 'STAGING', 'MATCHING', 'WRITING_RESULTS'].includes(v.status)), 'every earlier step is a working status')

  const run = (await graphqlOk<{ run: GqlRun }>(baseUrl, `query ($id: ID!) { run(runId: $id) { ${RUN_FIELDS} } }`, { id: runId })).run
  t.equal(run.status, 'COMPLETED', 'a run query right after the subscription completed finds the run finished')
  t.same([run.matchedCount, run.unmatchedLeftCount, run.unmatchedRightCount, run.totalLeft, run.totalRight],
    [data.truth.matched_count, data.truth.unmatched_left_count, data.truth.unmatched_right_count, data.truth.total_left, data.truth.total_right], 'counts equal the ground truth')
  await resultsMatchTruth(t, baseUrl, runId, data)
  const seen = (status: string): boolean => updates.values.some((u) => u.runId === runId && u.status === status)
  for (let i = 0; i < 100 && !seen('COMPLETED'); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  t.ok(seen('COMPLETED'), 'runUpdated told of the completed run')
  return run
}

async function resultsMatchTruth (t: Test, baseUrl: string, runId: string, data: FlowData): Promise<void> {
  for (const [kind, file, count] of KINDS) {
    const rows: Array<Record<string, unknown>> = []
    let page: Page
    do {
      page = (await graphqlOk<{ runResults: Page }>(baseUrl, 'query ($id: ID!, $kind: ResultKind!, $offset: Int!) { runResults(runId: $id, kind: $kind, limit: 700, offset: $offset) { kind columns { name type } rows totalCount offset } }', { id: runId, kind, offset: rows.length })).runResults
      rows.push(...page.rows)
    } while (page.rows.length > 0 && rows.length < page.totalCount)
    t.equal(page.kind, kind)
    t.equal(page.totalCount, data.truth[count], `${kind}: totalCount equals the ground truth`)
    t.equal(rows.length, page.totalCount, `${kind}: the pages hold every row`)
    const keyColumn = kind === 'UNMATCHED_RIGHT' ? 'payment_id' : 'invoice_id'
    const keys = rows.map((r) => String(r[keyColumn])).sort()
    if (kind !== 'MATCHED') t.equal(keysSha256(keys), data.truth[kind === 'UNMATCHED_LEFT' ? 'unmatched_left_keys_sha256' : 'unmatched_right_keys_sha256'], `${kind}: the unmatched keys are the ground truth's`)
    const amount = page.columns.find((c) => c.name === (kind === 'UNMATCHED_RIGHT' ? 'paid_amount' : kind === 'MATCHED' ? 'invoice_amount' : 'amount'))
    t.match(amount?.type, /^DECIMAL/, `${kind}: amounts are exact decimals`)
    t.ok(rows.every((r) => typeof r[amount?.name ?? ''] === 'string'), `${kind}: decimals arrive as exact strings`)

    const download = await fetch(`${baseUrl}/runs/${runId}/results/${file}?format=csv`, { headers: authHeaders() })
    t.equal(download.status, 200)
    t.equal(download.headers.get('content-disposition'), `attachment; filename="${runId}-${file}.csv"`)
    const [header, ...csvRows] = parseCsv(await download.text())
    t.same(header, page.columns.map((c) => c.name), `${kind}: the CSV has the page's columns`)
    t.same(csvRows, rows.map((r) => page.columns.map((c) => r[c.name] === null ? '' : String(r[c.name]))), `${kind}: the CSV rows are the pages' rows`)
  }
  const parquet = await fetch(`${baseUrl}/runs/${runId}/results/matched?format=parquet`, { headers: authHeaders() })
  t.equal(parquet.status, 200)
  t.equal(Buffer.from(await parquet.arrayBuffer()).subarray(0, 4).toString(), 'PAR1', 'the Parquet download is a Parquet file')
}
