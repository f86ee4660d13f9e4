import t from 'tap'
import { graphqlOk, recipeInput, uploadFile, waitFor } from '@kalla/testing'
import { startSingle } from './harness.ts'

// Run.exceptions narrowed by state and assignee (the runs service lists the matching keys, the engine
// narrows the result file to them) against single mode with real Postgres and DuckDB. States are set on a
// few unmatched invoices; every expected page is computed here from the unfiltered rows, in file order.
const { url, data, sourceUrl } = await startSingle(t, 600)
const recipeId = data.recipe.recipe_id
const QUEUE = 'query ($id: ID!, $limit: Int!, $offset: Int!, $filter: RunExceptionQuery) { run(runId: $id) { exceptions(side: LEFT, limit: $limit, offset: $offset, filter: $filter) { totalCount offset records { key exception { state assignee } } } } }'
interface Page { totalCount: number, offset: number, records: Array<{ key: string[], exception: { state: string, assignee: string | null } }> }

async function completedRun (): Promise<string> {
  const registered = new URL(sourceUrl)
  registered.searchParams.set('table', data.invoicesTable)
  await graphqlOk(url, 'mutation ($input: RegisterSourceInput!) { registerSource(input: $input) { alias } }', { input: { alias: 'erp_invoices', type: 'POSTGRES', uri: registered.toString() } })
  await graphqlOk(url, 'mutation ($input: RecipeInput!) { saveRecipe(input: $input) { recipeId } }', { input: recipeInput(data.recipe) })
  const upload = await uploadFile(`${url}/uploads`, data.paymentsCsv, 'bank.csv')
  const started = await graphqlOk<{ startRun: { runId: string } }>(url, 'mutation ($input: StartRunInput!) { startRun(input: $input) { runId } }', { input: { recipeId, files: [{ alias: 'payments', uploadId: upload.uploadId }] } })
  return await waitFor(async () => {
    const { run } = await graphqlOk<{ run: { status: string } }>(url, 'query ($id: ID!) { run(runId: $id) { status } }', { id: started.startRun.runId })
    return run.status === 'COMPLETED' ? started.startRun.runId : undefined
  }, 30_000, 'the run to complete')
}

async function change (keys: string[], changeInput: Record<string, string>): Promise<void> {
  await graphqlOk(url, 'mutation ($r: ID!, $records: [RecordRefInput!]!, $change: ExceptionChangeInput!) { updateExceptions(recipeId: $r, records: $records, change: $change) { updated } }',
    { r: recipeId, records: keys.map((k) => ({ side: 'LEFT', key: [k] })), change: changeInput })
}

/** Every page of a filtered queue, `size` records at a time: the keys in order, each page's total and offset. */
async function pages (runId: string, filter: Record<string, string>, size: number): Promise<{ keys: string[], totals: Set<number>, offsets: number[], states: string[], assignees: Array<string | null> }> {
  const out = { keys: [] as string[], totals: new Set<number>(), offsets: [] as number[], states: [] as string[], assignees: [] as Array<string | null> }
  for (let offset = 0; ; offset += size) {
    const page = (await graphqlOk<{ run: { exceptions: Page } }>(url, QUEUE, { id: runId, limit: size, offset, filter })).run.exceptions
    out.totals.add(page.totalCount)
    out.offsets.push(page.offset)
    for (const r of page.records) {
      out.keys.push(r.key[0]!)
      out.states.push(r.exception.state)
      out.assignees.push(r.exception.assignee)
    }
    if (page.records.length < size) return out
  }
}

t.test('a state or assignee filter pages through exactly the records that have it, with exact totals', async (t) => {
  const runId = await completedRun()
  const all = (await graphqlOk<{ runResults: { rows: Array<{ invoice_id: string }> } }>(url, 'query ($id: ID!) { runResults(runId: $id, kind: UNMATCHED_LEFT, limit: 1000) { rows } }', { id: runId })).runResults.rows.map((r) => r.invoice_id)
  t.equal(all.length, data.truth.unmatched_left_count, 'the unfiltered rows are every unmatched invoice')
  t.ok(all.length >= 30, 'enough unmatched invoices to spread states over')
  const investigating = all.filter((_, i) => i % 5 === 1)
  const resolved = all.filter((_, i) => i % 7 === 3 && i % 5 !== 1)
  const dana = all.filter((_, i) => i % 4 === 0)
  await change(investigating, { state: 'INVESTIGATING' })
  await change(resolved, { resolution: 'TIMING' })
  await change(dana, { assignee: 'dana' })
  // A record reopened after a change has a stored row in state OPEN: it is listed as open, not excluded.
  await change([investigating[0]!], { state: 'OPEN' })

  const state = new Map(all.map((k) => [k, 'OPEN']))
  for (const k of investigating.slice(1)) state.set(k, 'INVESTIGATING')
  for (const k of resolved) state.set(k, 'RESOLVED')
  const search = all[0]!.slice(-1)
  const cases: Array<[string, Record<string, string>, (k: string) => boolean]> = [
    ['OPEN', { state: 'OPEN' }, (k) => state.get(k) === 'OPEN'],
    ['INVESTIGATING', { state: 'INVESTIGATING' }, (k) => state.get(k) === 'INVESTIGATING'],
    ['RESOLVED', { state: 'RESOLVED' }, (k) => state.get(k) === 'RESOLVED'],
    ['assignee dana', { assignee: 'dana' }, (k) => dana.includes(k)],
    ['OPEN and dana', { state: 'OPEN', assignee: 'dana' }, (k) => state.get(k) === 'OPEN' && dana.includes(k)],
    ['OPEN with a search', { state: 'OPEN', search: search.toLowerCase() }, (k) => state.get(k) === 'OPEN' && k.toLowerCase().includes(search.toLowerCase())],
    ['dana with a search', { assignee: 'dana', search }, (k) => dana.includes(k) && k.toLowerCase().includes(search.toLowerCase())],
    ['an assignee nobody has', { assignee: 'nobody' }, () => false]
  ]
  for (const [name, filter, passes] of cases) {
    const expected = all.filter(passes)
    const got = await pages(runId, filter, 7)
    t.same(got.keys, expected, `${name}: the records, in file order`)
    t.same([...got.totals], [expected.length], `${name}: every page's total`)
    t.same(got.offsets, got.offsets.map((_, i) => i * 7), `${name}: each page starts where asked`)
    if (filter.state !== undefined) t.ok(got.states.every((s) => s === filter.state), `${name}: each record shows its state`)
    if (filter.assignee !== undefined) t.ok(got.assignees.every((a) => a === filter.assignee), `${name}: each record shows its assignee`)
  }
  t.ok(all.filter((k) => state.get(k) === 'OPEN').length > all.length / 2, 'most records are still open')
})
