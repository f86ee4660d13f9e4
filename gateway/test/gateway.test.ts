import { readFile } from 'node:fs/promises'
import { buildSchema as parseSdl, findBreakingChanges } from 'graphql'
import t from 'tap'
import { CreateUpload, GetRecipe, KALLA_RUNS, ListRuns, ListSources, SaveRecipe, type Run } from '@kalla/proto'
import { CodedError } from '@kalla/service'
import { buildSchema } from '../src/graphql/schema.ts'
import { completed, run, storedRecipe } from './fixtures.ts'
import { authHeaders, errorCode, graphql, graphqlOk, watch, wsClient } from '@kalla/testing'
import { serveGetRun, startGateway } from './harness.ts'

// The gateway alone, on the in-process bus with small stand-ins for the services it asks.
const { bus, storage, url, dir, logs } = await startGateway(t, { GATEWAY_UPLOAD_MAX_BYTES: '1000' })

const runs = new Map<string, Run>()
let getRecipeCalls = 0
await serveGetRun(bus, runs)
await bus.serve(ListRuns, () => ({ runs: [...runs.values()].filter((r) => r.run_id.startsWith('batch-')) }), { queue: 'runs' })
await bus.serve(GetRecipe, ({ recipe_id: recipeId }) => { getRecipeCalls++; return storedRecipe(recipeId) }, { queue: 'recipes' })
await bus.serve(SaveRecipe, () => {
  throw Object.assign(new CodedError('RECIPES_INVALID', 'The recipe has 1 problem: fix it and save again.'), { problems: [{ code: 'RECIPE_MATCH_SQL_EMPTY', message: 'The match SQL is empty.', path: '/match_sql' }] })
}, { queue: 'recipes' })
await bus.serve(CreateUpload, (file) => {
  if (file.filename === 'unreadable.csv') throw new CodedError('SOURCES_UPLOAD_UNREADABLE', 'unreadable.csv cannot be read as CSV.')
  return { upload_id: 'upl-1', filename: file.filename, format: 'csv' as const, columns: [{ name: 'id', type: 'BIGINT' }], size_bytes: file.size_bytes, key: file.key, created_at: '2026-11-27T08:00:00.000Z', expires_at: '2026-12-04T08:00:00.000Z' }
}, { queue: 'sources' })
await bus.serve(ListSources, () => { throw new Error('connect ECONNREFUSED 10.1.2.3:5432 (password hunter2)') }, { queue: 'sources' })

const live = (): number => bus.liveSubscriptions(KALLA_RUNS.name)

t.test('the schema keeps every name and shape of the public API', async (t) => {
  const published = parseSdl(await readFile(new URL('./public-schema.graphql', import.meta.url), 'utf8'))
  t.same(findBreakingChanges(published, buildSchema()), [])
})

t.test('a service error keeps its code, message and problems', async (t) => {
  const input = { recipeId: 'r1', name: 'R', matchSql: '', left: { alias: 'a', type: 'POSTGRES', uri: 'x', primaryKey: ['id'] }, right: { alias: 'b', type: 'FILE', schema: ['id'], primaryKey: ['id'] } }
  const response = await graphql(url, 'mutation ($input: RecipeInput!) { saveRecipe(input: $input) { recipeId } }', { input })
  t.equal(response.status, 200)
  t.equal(response.errors?.[0]?.extensions?.code, 'RECIPES_INVALID')
  t.match(response.errors?.[0]?.message, /1 problem/)
  t.same(response.errors?.[0]?.extensions?.problems, [{ code: 'RECIPE_MATCH_SQL_EMPTY', message: 'The match SQL is empty.', path: '/matchSql' }], 'the path is in the names of the input')
})

t.test('an uncoded failure is INTERNAL with a generic message; the details are only logged', async (t) => {
  const remote = await graphql(url, '{ sources { alias } }')
  t.equal(remote.errors?.[0]?.extensions?.code, 'INTERNAL')
  t.notMatch(JSON.stringify(remote), /ECONNREFUSED|hunter2/)
  runs.set('run-broken', completed('run-broken', 'r1'))
  await storage.put('results/run-broken/matched.parquet', 'this is not a parquet file')
  const local = await graphql(url, '{ runResults(runId: "run-broken", kind: MATCHED) { totalCount } }')
  t.equal(local.errors?.[0]?.extensions?.code, 'INTERNAL')
  t.notMatch(JSON.stringify(local), new RegExp(dir.replaceAll('/', '\\/')), 'no local path is shown')
  t.match(logs.join(''), /matched\.parquet/, 'the real error is in the log')
})

t.test('validation errors have a code and answer 400', async (t) => {
  const response = await graphql(url, '{ nope }')
  t.equal(response.status, 400)
  t.equal(response.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED')
  const syntax = await graphql(url, '{ runs ')
  t.equal(syntax.errors?.[0]?.extensions?.code, 'GRAPHQL_PARSE_FAILED')
})

t.test('runs { recipe } asks for each distinct recipe once', async (t) => {
  for (let i = 0; i < 10; i++) runs.set(`batch-${i}`, run(`batch-${i}`, `recipe-${i % 3}`, 'submitted'))
  getRecipeCalls = 0
  const data = await graphqlOk<{ runs: Array<{ runId: string, recipe: { recipeId: string, name: string } }> }>(url, '{ runs { runId recipe { recipeId name } } }')
  t.equal(data.runs.length, 10)
  t.ok(data.runs.every((r) => r.recipe.recipeId === `recipe-${Number(r.runId.slice(6)) % 3}`), 'each run has its own recipe')
  t.equal(getRecipeCalls, 3, 'one GetRecipe per distinct recipe')
})

t.test('too deep or too costly queries and subscriptions are refused', async (t) => {
  const deep = '{ recipe { runs { recipe { runs { recipe { runs { recipe { runs { runId } } } } } } } } }'
  const query = await graphql(url, deep.replace('recipe {', 'recipe(recipeId: "r1") {'))
  t.equal(query.status, 400)
  t.equal(query.errors?.[0]?.extensions?.code, 'GATEWAY_QUERY_TOO_DEEP')
  const costly = await graphql(url, '{ runs(limit: 500) { recipe { runs(limit: 500) { runId } } } }')
  t.equal(costly.errors?.[0]?.extensions?.code, 'GATEWAY_QUERY_TOO_COSTLY')
  const client = wsClient(url)
  t.teardown(() => client.dispose())
  const subscription = watch(client, 'runUpdated', 'subscription { runUpdated { recipe { runs { recipe { runs { recipe { runs { recipe { name } } } } } } } } }')
  t.equal(errorCode((await subscription.ended).error), 'GATEWAY_QUERY_TOO_DEEP')
  const invalid = watch(client, 'runUpdated', 'subscription { runUpdated { nope } }')
  t.equal(errorCode((await invalid.ended).error), 'GRAPHQL_VALIDATION_FAILED', 'subscriptions are validated too')
  t.equal(live(), 0, 'no subscription was started')
})

t.test('downloads answer coded JSON errors', async (t) => {
  runs.set('run-busy', run('run-busy', 'r1', 'matching'))
  const cases = [['/runs/run-missing/results/matched', 404, 'RUNS_RUN_NOT_FOUND'], ['/runs/run-busy/results/matched', 409, 'GATEWAY_RUN_NOT_COMPLETED'],
    ['/runs/run-busy/results/everything', 400, 'GATEWAY_RESULT_KIND_INVALID'], ['/runs/run-busy/results/matched?format=xls', 400, 'GATEWAY_FORMAT_INVALID']] as const
  for (const [path, status, code] of cases) {
    const response = await fetch(`${url}${path}`, { headers: authHeaders() })
    t.equal(response.status, status, path)
    t.equal(response.headers.get('content-disposition'), null, 'an error is not offered as a file')
    t.equal((await response.json() as { error: { code: string } }).error.code, code, path)
  }
})

t.test('uploads are streamed into storage, recorded over the bus, and limited in size', async (t) => {
  const post = async (name: string, bytes: number): Promise<Response> => {
    const form = new FormData()
    form.append('file', new Blob(['id\n' + '1\n'.repeat(Math.max(0, (bytes - 3) / 2))]), name)
    return await fetch(`${url}/uploads`, { method: 'POST', body: form, headers: authHeaders() })
  }
  const ok = await post('small.csv', 503)
  t.equal(ok.status, 201)
  const upload = await ok.json() as { uploadId: string, sizeBytes: number, columns: unknown[] }
  t.same([upload.uploadId, upload.sizeBytes, upload.columns], ['upl-1', 503, [{ name: 'id', type: 'BIGINT' }]])
  const refused = await post('unreadable.csv', 11)
  t.equal(refused.status, 400)
  t.equal((await refused.json() as { error: { code: string } }).error.code, 'SOURCES_UPLOAD_UNREADABLE', 'the service\'s code reaches the client')
  const large = await post('large.csv', 2001)
  t.equal(large.status, 413)
  t.equal((await large.json() as { error: { code: string } }).error.code, 'SOURCES_UPLOAD_TOO_LARGE')
  const kept: string[] = []
  for await (const key of storage.list('uploads/')) kept.push(key)
  t.equal(kept.length, 1, 'only the accepted upload is kept')
})
