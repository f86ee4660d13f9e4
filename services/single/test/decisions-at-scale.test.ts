import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { expectedResults } from '@kalla/datagen'
import { graphqlOk, recipeInput, startNatsServer, uploadFile, waitFor } from '@kalla/testing'
import { startSingle } from './harness.ts'

// A recipe whose carried-over decisions are far larger than a NATS message may be (1 MiB by default) still
// starts, runs and completes on a real NATS JetStream: the decisions travel as a file in storage.
const PRIOR_WRITE_OFFS = 60_000
const BATCH = 2_000
const NATS_DEFAULT_MAX_PAYLOAD = 1024 * 1024

const nats = await startNatsServer()
// Teardowns run last-registered first: single mode closes before its NATS server stops.
t.teardown(async () => { await nats.stop() })
const { url, dir, data, sourceUrl } = await startSingle(t, 1000, { NATS_URL: nats.url })

interface GqlRun { runId: string, status: string, error: { code: string, message: string } | null, unmatchedLeftCount: number, unmatchedRightCount: number, matchedLeft: number, totalLeft: number, decisionCounts: Record<string, number> | null }
const RUN = 'runId status error { code message } unmatchedLeftCount unmatchedRightCount matchedLeft totalLeft decisionCounts { sqlMatchedLeft decisionMatchedLeft writtenOffLeft writtenOffRight unmatchedByDecision decisionsNotApplied }'

async function writeOff (keys: string[]): Promise<void> {
  const change = 'mutation ($r: ID!, $records: [RecordRefInput!]!) { updateExceptions(recipeId: $r, records: $records, change: { resolution: WRITTEN_OFF }) { updated } }'
  for (let i = 0; i < keys.length; i += BATCH) {
    const records = keys.slice(i, i + BATCH).map((k) => ({ side: 'LEFT', key: [k] }))
    const done = await graphqlOk<{ updateExceptions: { updated: number } }>(url, change, { r: data.recipe.recipe_id, records })
    if (done.updateExceptions.updated !== records.length) throw new Error(`wrote off ${done.updateExceptions.updated} of ${records.length}`)
  }
}

t.test('60,000 carried-over write-offs (a decision set of megabytes) start, run and complete with exact counts', async (t) => {
  // Ground truth from the generator's own matcher (exact, in JS), not from the engine.
  const truth = (await expectedResults(join(data.dir, 'invoices.csv'), data.paymentsCsv, { keys: true }))['one-to-one']
  const unmatched = [...(truth.unmatched_left_keys ?? [])].sort()
  t.ok(unmatched.length > 10, 'the data has unmatched invoices to write off')
  const stillOpen = unmatched.slice(0, 3)
  const writtenOff = unmatched.slice(3)
  // Earlier periods' write-offs: records of the recipe that are not in this period's data.
  const prior = Array.from({ length: PRIOR_WRITE_OFFS }, (_, i) => `INV-PRIOR-${String(i).padStart(6, '0')}`)

  const registered = new URL(sourceUrl)
  registered.searchParams.set('table', data.invoicesTable)
  await graphqlOk(url, 'mutation ($input: RegisterSourceInput!) { registerSource(input: $input) { alias } }', { input: { alias: 'erp_invoices', type: 'POSTGRES', uri: registered.toString() } })
  await graphqlOk(url, 'mutation ($input: RecipeInput!) { saveRecipe(input: $input) { recipeId } }', { input: recipeInput(data.recipe) })
  await writeOff([...prior, ...writtenOff])
  const upload = await uploadFile(`${url}/uploads`, data.paymentsCsv, 'bank.csv')

  const started = await graphqlOk<{ startRun: { runId: string } }>(url, 'mutation ($input: StartRunInput!) { startRun(input: $input) { runId } }', { input: { recipeId: data.recipe.recipe_id, files: [{ alias: 'payments', uploadId: upload.uploadId }] } })
  const runId = started.startRun.runId
  const run = await waitFor(async () => {
    const { run } = await graphqlOk<{ run: GqlRun }>(url, `query ($id: ID!) { run(runId: $id) { ${RUN} } }`, { id: runId })
    return run.status === 'COMPLETED' || run.status === 'FAILED' ? run : undefined
  }, 180_000, 'the run to end')
  t.equal(run.status, 'COMPLETED', `the run completed${run.error === null ? '' : `, not ${run.error.code}: ${run.error.message}`}`)

  const file = join(dir, 'data', 'storage', 'results', runId, 'decisions.ndjson')
  t.ok((await stat(file)).size > 2 * NATS_DEFAULT_MAX_PAYLOAD, 'the decision set is well over what one NATS message may carry')
  const lines = (await readFile(file, 'utf8')).trim().split('\n')
  t.equal(lines.length, PRIOR_WRITE_OFFS + writtenOff.length, 'one line per written-off record')

  t.same(run.decisionCounts, { sqlMatchedLeft: truth.matched_left, decisionMatchedLeft: 0, writtenOffLeft: writtenOff.length, writtenOffRight: 0, unmatchedByDecision: 0, decisionsNotApplied: 0 })
  t.equal(run.unmatchedLeftCount, stillOpen.length, 'only the invoices nobody wrote off are open')
  t.equal(run.unmatchedRightCount, truth.unmatched_right_count)
  t.equal(run.matchedLeft, truth.matched_left)
  t.equal(run.totalLeft, truth.total_left)
  t.equal(run.matchedLeft + run.unmatchedLeftCount + writtenOff.length, run.totalLeft, 'matched + unmatched + written off = total')
  const page = await graphqlOk<{ runResults: { rows: Array<{ invoice_id: string }> } }>(url, 'query ($id: ID!) { runResults(runId: $id, kind: UNMATCHED_LEFT, limit: 100) { rows } }', { id: runId })
  t.same(page.runResults.rows.map((r) => r.invoice_id).sort(), stillOpen, 'the open invoices are exactly those left undecided')
})
