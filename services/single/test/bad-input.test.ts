import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import pg from 'pg'
import { authHeaders, graphql, graphqlOk, recipeInput, uploadFile, waitFor } from '@kalla/testing'
import { startSingle } from './harness.ts'

// Bad input through single mode as a client sends it (HTTP, GraphQL, real Postgres and DuckDB): each gets a
// coded answer in the user's words, and the server keeps answering.
const { url, dir, data, sourceUrl } = await startSingle(t, 60)

const registerErp = async (alias: string, table: string): Promise<{ columns: unknown[], problem: { code: string, message: string } | null }> => {
  const uri = new URL(sourceUrl)
  uri.searchParams.set('table', table)
  const answer = await graphqlOk<{ registerSource: { columns: unknown[], problem: { code: string, message: string } | null } }>(url,
    'mutation ($input: RegisterSourceInput!) { registerSource(input: $input) { columns { name } problem { code message } } }', { input: { alias, type: 'POSTGRES', uri: uri.toString() } })
  return answer.registerSource
}

t.test('a header-only payments upload is a month without payments: the run completes with every invoice unmatched', async (t) => {
  t.equal((await registerErp('erp_invoices', data.invoicesTable)).problem, null)
  await graphqlOk(url, 'mutation ($input: RecipeInput!) { saveRecipe(input: $input) { recipeId } }', { input: recipeInput(data.recipe) })
  const header = (await readFile(data.paymentsCsv, 'utf8')).split('\n')[0]!
  const path = join(dir, 'november.csv')
  await writeFile(path, `${header}\n`)
  const upload = await uploadFile(`${url}/uploads`, path, 'november.csv')
  t.same(upload.columns.map((c) => c.name), header.split(','), 'the upload has the header\'s columns')
  const files = [{ alias: 'payments', uploadId: upload.uploadId }]
  const preview = await graphqlOk<{ previewRecipe: { matchedCount: number, unmatchedRightCount: number } }>(url,
    'mutation ($input: RecipeInput!, $files: [FileBinding!]) { previewRecipe(input: $input, files: $files, sampleRows: 500) { matchedCount unmatchedRightCount } }', { input: recipeInput(data.recipe), files })
  t.same(preview.previewRecipe, { matchedCount: 0, unmatchedRightCount: 0 }, 'the preview of the empty month matches nothing')
  const started = await graphqlOk<{ startRun: { runId: string } }>(url, 'mutation ($input: StartRunInput!) { startRun(input: $input) { runId } }', { input: { recipeId: data.recipe.recipe_id, files: [{ alias: 'payments', uploadId: upload.uploadId }] } })
  const run = await waitFor(async () => {
    const found = (await graphqlOk<{ run: { status: string, matchedCount: number, unmatchedLeftCount: number, unmatchedRightCount: number, error: unknown } }>(url,
      'query ($id: ID!) { run(runId: $id) { status matchedCount unmatchedLeftCount unmatchedRightCount error { code message } } }', { id: started.startRun.runId })).run
    return ['COMPLETED', 'FAILED'].includes(found.status) ? found : undefined
  }, 60_000, 'the run to end')
  // The invoices as Postgres holds them, read without Kalla.
  const client = new pg.Client({ connectionString: sourceUrl })
  await client.connect()
  const invoices = (await client.query<{ invoice_id: string }>(`SELECT invoice_id FROM ${data.invoicesTable} ORDER BY invoice_id`)).rows.map((r) => r.invoice_id)
  await client.end()
  t.same([run.status, run.matchedCount, run.unmatchedLeftCount, run.unmatchedRightCount], ['COMPLETED', 0, invoices.length, 0], JSON.stringify(run.error))
  const page = await graphqlOk<{ runResults: { totalCount: number, rows: Array<{ invoice_id: string }> } }>(url,
    'query ($id: ID!) { runResults(runId: $id, kind: UNMATCHED_LEFT, limit: 1000) { totalCount rows } }', { id: started.startRun.runId })
  t.same(page.runResults.rows.map((r) => r.invoice_id).sort(), [...invoices].sort(), 'every invoice is unmatched')
})

t.test('a ragged CSV is refused at upload naming its line, not at startRun', async (t) => {
  const form = new FormData()
  form.append('file', new Blob(['payment_id,reference_number,paid_amount\nP1,INV-1,10.00\nP2,INV-2\n']), 'ragged.csv')
  const response = await fetch(`${url}/uploads`, { method: 'POST', body: form, headers: authHeaders() })
  const body = await response.json() as { error: { code: string, message: string } }
  t.same([response.status, body.error.code], [400, 'SOURCES_UPLOAD_UNREADABLE'])
  t.match(body.error.message, /^ragged\.csv line 3 has 2 fields where the header \(line 1\) has 3/)
})

t.test('registerSource of a missing table says so in its answer', async (t) => {
  const registered = await registerErp('erp_missing', 'public.no_such_table')
  t.same(registered.columns, [])
  t.equal(registered.problem?.code, 'SOURCES_QUERY_FAILED')
  t.match(registered.problem?.message, /no_such_table/)
})

t.test('removeSource of a source a saved recipe uses is refused naming the recipe; the source stays', async (t) => {
  const refused = await graphql(url, 'mutation { removeSource(alias: "erp_invoices") }')
  const error = refused.errors?.[0] as { message: string, extensions: { code: string } } | undefined
  t.equal(error?.extensions.code, 'SOURCES_IN_USE')
  t.match(error?.message, new RegExp(`\\(${data.recipe.recipe_id}\\)`))
  t.ok((await graphqlOk<{ source: unknown }>(url, '{ source(alias: "erp_invoices") { alias } }')).source, 'the source is still registered')
  await graphqlOk(url, `mutation { deleteRecipe(recipeId: "${data.recipe.recipe_id}") }`)
  t.same(await graphqlOk(url, 'mutation { removeSource(alias: "erp_invoices") }'), { removeSource: true }, 'once the recipe is gone it can be removed')
})

t.test('limits out of range are refused with the range', async (t) => {
  const refused = await graphql(url, '{ runs(limit: 0) { runId } }')
  t.equal((refused.errors?.[0] as { extensions: { code: string } } | undefined)?.extensions.code, 'GATEWAY_LIMIT_OUT_OF_RANGE')
})
