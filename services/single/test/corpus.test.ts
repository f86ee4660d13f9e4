import { basename } from 'node:path'
import t from 'tap'
import { corpusCases, corpusOutcome, graphqlOk, uploadFile, waitFor } from '@kalla/testing'
import { startSingle } from './harness.ts'

// Every corpus recipe on every way its files are written, through the API of single mode: the recipe
// file imported as it is, each file uploaded, a run started and its results paged, against the ground
// truth the generator computed from the records (examples/files/*.expected.json).
const { url } = await startSingle(t, 20)
const cases = await corpusCases()
const KINDS = { matched: 'MATCHED', unmatched_left: 'UNMATCHED_LEFT', unmatched_right: 'UNMATCHED_RIGHT' } as const
interface RunState { status: string, matchedCount: number, unmatchedLeftCount: number, unmatchedRightCount: number, totalLeft: number, totalRight: number, error: { code: string, message: string } | null }

async function resultRows (runId: string, kind: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = []
  for (;;) {
    const { runResults } = await graphqlOk<{ runResults: { rows: Record<string, unknown>[], totalCount: number } }>(url,
      'query ($id: ID!, $kind: ResultKind!, $offset: Int!) { runResults(runId: $id, kind: $kind, limit: 500, offset: $offset) { rows totalCount } }', { id: runId, kind, offset: rows.length })
    rows.push(...runResults.rows)
    if (runResults.rows.length === 0 || rows.length >= runResults.totalCount) return rows
  }
}

for (const recipe of new Map(cases.map((c) => [c.recipe.recipe_id, c.recipe])).values()) {
  await graphqlOk(url, 'mutation ($recipe: JSON!) { importRecipe(recipe: $recipe) { recipeId } }', { recipe })
}

for (const c of cases) {
  t.test(`a run through the API reconciles ${c.name} exactly as the ground truth says`, async (t) => {
    const files = []
    for (const [alias, path] of Object.entries(c.files)) files.push({ alias, uploadId: (await uploadFile(`${url}/uploads`, path, basename(path))).uploadId })
    const started = await graphqlOk<{ startRun: { runId: string } }>(url, 'mutation ($input: StartRunInput!) { startRun(input: $input) { runId } }', { input: { recipeId: c.recipe.recipe_id, files } })
    const runId = started.startRun.runId
    const run = await waitFor(async () => {
      const { run } = await graphqlOk<{ run: RunState }>(url, 'query ($id: ID!) { run(runId: $id) { status matchedCount unmatchedLeftCount unmatchedRightCount totalLeft totalRight error { code message } } }', { id: runId })
      return ['COMPLETED', 'FAILED', 'CANCELLED'].includes(run.status) ? run : undefined
    }, 60_000, `run ${runId} to finish`)
    t.equal(run.status, 'COMPLETED', JSON.stringify(run.error))
    const e = c.expected
    t.same([run.totalLeft, run.totalRight, run.matchedCount, run.unmatchedLeftCount, run.unmatchedRightCount],
      [e.total_left, e.total_right, e.matched_count, e.unmatched_left_count, e.unmatched_right_count], 'every count')
    const outcome = corpusOutcome(c.recipe, {
      matched: await resultRows(runId, KINDS.matched),
      unmatched_left: await resultRows(runId, KINDS.unmatched_left),
      unmatched_right: await resultRows(runId, KINDS.unmatched_right)
    })
    t.same(outcome.matched, e.matched, 'the matched key pairs')
    t.same(outcome.unmatched_left, e.unmatched_left, 'the unmatched left keys')
    t.same(outcome.unmatched_right, e.unmatched_right, 'the unmatched right keys')
  })
}
