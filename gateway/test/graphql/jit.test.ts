import t from 'tap'
import { GetRecipe, ListRuns, ListSources } from '@kalla/proto'
import { completed, run, storedRecipe } from '../fixtures.ts'
import { graphql } from '@kalla/testing'
import { serveGetRun, startGateway } from '../harness.ts'

// With GATEWAY_JIT=1 a query is compiled by graphql-jit after its first run: every later answer, data and
// errors alike, must be what graphql-js gave the first time, but for one known difference: graphql-jit's
// errors carry no `locations`. That difference is why GATEWAY_JIT is off by default.
const { bus, url } = await startGateway(t, { GATEWAY_JIT: '1' })

const runs = [completed('run-1', 'rec-a'), run('run-2', 'rec-b', 'failed', { error: { code: 'ENGINE_SQL_ERROR', message: 'bad SQL', stage: 'matching' } }), run('run-3', 'rec-a', 'matching', { stage: 'matching', progress: 0.5 })]
await serveGetRun(bus, new Map(runs.map((r) => [r.run_id, r])))
await bus.serve(ListRuns, ({ status }) => ({ runs: runs.filter((r) => status === undefined || r.status === status) }), { queue: 'runs' })
await bus.serve(GetRecipe, ({ recipe_id: recipeId }) => storedRecipe(recipeId), { queue: 'recipes' })
await bus.serve(ListSources, () => { throw new Error('connect ECONNREFUSED 10.1.2.3:5432') }, { queue: 'sources' })

const RUN_FIELDS = 'runId status stage progress matchedCount unmatchedLeftCount totalLeft totalRight error { code message stage } outputs { matched } createdAt startedAt finishedAt recipe { recipeId name left { alias primaryKey } }'
const cases: [string, string, Record<string, unknown>][] = [
  ['runs, every field and the recipe of each', `query { runs(limit: 50) { ${RUN_FIELDS} } }`, {}],
  ['runs filtered by an enum variable', 'query ($s: RunStatus) { runs(status: $s) { runId status } }', { s: 'FAILED' }],
  ['one run by a variable', `query ($id: ID!) { run(runId: $id) { ${RUN_FIELDS} } }`, { id: 'run-2' }],
  ['an unknown run is null', 'query ($id: ID!) { run(runId: $id) { runId } }', { id: 'nope' }],
  ['a failing service is a coded error on its field', 'query { sources { alias } }', {}],
  ['a bad variable is refused', 'query ($id: ID!) { run(runId: $id) { runId } }', { id: null }]
]

function withoutLocations<T extends { errors?: object[] }> (answer: T): T {
  return answer.errors === undefined ? answer : { ...answer, errors: answer.errors.map(({ locations: _locations, ...rest }: { locations?: unknown }) => rest) }
}

for (const [name, query, variables] of cases) {
  t.test(`${name}: the same answer after the query is compiled`, async (t) => {
    const first = await graphql(url, query, variables)
    const later = [await graphql(url, query, variables), await graphql(url, query, variables)]
    t.ok(first.data !== null || first.errors !== undefined, 'the first answer has data or errors')
    for (const answer of later) t.same(withoutLocations(answer), withoutLocations(first))
  })
}
