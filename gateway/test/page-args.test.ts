import t from 'tap'
import { GetRecipe, ListRuns } from '@kalla/proto'
import { graphql } from '@kalla/testing'
import { run, storedRecipe } from './fixtures.ts'
import { startGateway } from './harness.ts'

// A limit or offset out of range is refused, saying the range, instead of being changed behind the client's back.
const { bus, url } = await startGateway(t)

const asked: Array<{ limit: number, offset: number }> = []
await bus.serve(ListRuns, (request) => {
  asked.push({ limit: request.limit, offset: request.offset })
  return { runs: Array.from({ length: Math.min(request.limit, 3) }, (_, i) => run(`run-${i}`, 'r1', 'completed')) }
}, { queue: 'runs' })
await bus.serve(GetRecipe, ({ recipe_id: recipeId }) => storedRecipe(recipeId), { queue: 'recipes' })

async function refusal (query: string, variables: Record<string, unknown> = {}): Promise<{ code?: string, message?: string }> {
  const response = await graphql(url, query, variables)
  const error = response.errors?.[0] as { message?: string, extensions?: { code?: string } } | undefined
  return { code: error?.extensions?.code, message: error?.message }
}

t.test('runs refuses limit 0, -5 and 501 and a negative offset, naming the range', async (t) => {
  asked.length = 0
  for (const limit of [0, -5, 501]) {
    const refused = await refusal('query ($limit: Int) { runs(limit: $limit) { runId } }', { limit })
    t.equal(refused.code, 'GATEWAY_LIMIT_OUT_OF_RANGE', `limit ${limit}`)
    t.match(refused.message, /give 1 to 500/)
  }
  const offset = await refusal('{ runs(offset: -1) { runId } }')
  t.equal(offset.code, 'GATEWAY_LIMIT_OUT_OF_RANGE')
  t.match(offset.message, /offset -1 .*0 or more/)
  t.same(asked, [], 'the runs service was never asked')
})

t.test('runs inside the range are asked for as given', async (t) => {
  asked.length = 0
  const response = await graphql<{ runs: unknown[] }>(url, '{ runs(limit: 500, offset: 7) { runId } }')
  t.equal(response.errors, undefined)
  t.equal(response.data?.runs.length, 3)
  t.same(asked, [{ limit: 500, offset: 7 }])
})

t.test('runResults refuses limit 100000, -1 and a negative offset before reading anything', async (t) => {
  for (const [limit, offset] of [[100_000, 0], [-1, 0], [10, -3]]) {
    const refused = await refusal('query ($limit: Int, $offset: Int) { runResults(runId: "run-0", kind: MATCHED, limit: $limit, offset: $offset) { totalCount } }', { limit, offset })
    t.equal(refused.code, 'GATEWAY_LIMIT_OUT_OF_RANGE', `limit ${limit}, offset ${offset}`)
  }
  t.match((await refusal('{ runResults(runId: "run-0", kind: MATCHED, limit: 1001) { totalCount } }')).message, /give 0 to 1000/)
})

t.test('Recipe.runs refuses a limit out of range on that field only', async (t) => {
  const response = await graphql<{ recipe: { name: string, runs: unknown } | null }>(url, '{ recipe(recipeId: "r1") { name runs(limit: 0) { runId } } }')
  t.equal((response.errors?.[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code, 'GATEWAY_LIMIT_OUT_OF_RANGE')
  t.same((response.errors?.[0] as { path?: unknown } | undefined)?.path, ['recipe', 'runs'])
})

t.test('auditLog refuses a limit out of range with the audit code', async (t) => {
  for (const query of ['{ auditLog(limit: 0) { seq } }', '{ auditLog(limit: 501) { seq } }', '{ auditLog(offset: -1) { seq } }']) {
    t.equal((await refusal(query)).code, 'AUDIT_QUERY_INVALID', query)
  }
})
