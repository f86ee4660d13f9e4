import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jetstreamManager, type ConsumerInfo } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import t from 'tap'
import { KALLA_RUNS } from '@kalla/proto'
import { errorCode, graphql, graphqlFlow, graphqlOk, prepareFlowData, recipeInput, startIdentityProvider, uploadFile, waitFor, walkAccessTable, watch, wsClient } from '@kalla/testing'
import { startTopology } from './topology.ts'

// The gateway as its own OS process next to every service, all over real NATS JetStream, Postgres and S3.
const dir = await mkdtemp(join(tmpdir(), 'kalla-gateway-scaled-'))
const topology = await startTopology()
const admin = await connect({ servers: topology.natsUrl, name: 'gateway-scaled-test', ...topology.natsTestUser })
t.teardown(async () => {
  await admin.close()
  await topology.stop()
  await rm(dir, { recursive: true, force: true })
})
await Promise.all([topology.start('sources', 'sources'), topology.start('recipes', 'recipes'), topology.start('runs', 'runs'), topology.start('matcher', 'matcher')])
// The gateway also trusts an OIDC provider served by the test, and one browser origin, for the role walk below.
const idp = await startIdentityProvider()
t.teardown(idp.stop)
const CORS_ORIGIN = 'https://app.kalla.test'
await topology.start('gateway', 'gateway', { KALLA_JWT_JWKS_URL: idp.jwksUrl, KALLA_JWT_ISSUER: idp.issuer, KALLA_JWT_AUDIENCE: idp.audience, KALLA_JWT_ROLE_CLAIM: 'realm_access.roles', KALLA_CORS_ORIGINS: CORS_ORIGIN })
const url = `http://127.0.0.1:${topology.port('gateway')}`
const data = await prepareFlowData(join(dir, 'flow'), topology.databaseUrl, 2000)
const jsm = await jetstreamManager(admin)

// The gateway's live subscriptions are the ephemeral consumers on the run states' stream.
const liveConsumers = async (): Promise<number> => {
  const consumers: Array<ConsumerInfo | null> = await jsm.consumers.list(KALLA_RUNS.name).next()
  return consumers.filter((c) => c !== null && (c.config.durable_name ?? '') === '').length
}

t.test('the gateway process serves the whole flow with every service in its own process', async (t) => {
  await graphqlFlow(t, url, data, topology.databaseUrl)
})

t.test('a client that disconnects ends its JetStream consumer at once', async (t) => {
  await waitFor(async () => await liveConsumers() === 0 ? true : undefined, 5000, 'no live consumer')
  const client = wsClient(url)
  const updates = watch(client, 'runUpdated', 'subscription { runUpdated { runId } }')
  await waitFor(async () => await liveConsumers() === 1 ? true : undefined, 5000, 'the gateway\'s consumer')
  const disconnectedAt = Date.now()
  await client.dispose()
  await waitFor(async () => await liveConsumers() === 0 ? true : undefined, 1000, 'the consumer to be deleted')
  t.ok(Date.now() - disconnectedAt < 1000, `deleted ${Date.now() - disconnectedAt} ms after the disconnect`)
  t.same(updates.values, [])
})

t.test('errors cross the process boundary with their codes', async (t) => {
  const client = wsClient(url)
  t.teardown(() => client.dispose())
  const unknown = watch(client, 'runProgress', 'subscription { runProgress(runId: "run-nope") { status } }')
  t.equal(errorCode((await unknown.ended).error), 'RUNS_RUN_NOT_FOUND')
  const start = await graphql(url, 'mutation { startRun(input: { recipeId: "no-such-recipe" }) { runId } }')
  t.equal(start.errors?.[0]?.extensions?.code, 'RUNS_RECIPE_NOT_FOUND')
  const deep = await graphql(url, '{ runs { recipe { runs { recipe { runs { recipe { runs { recipe { name } } } } } } } } }')
  t.equal(deep.errors?.[0]?.extensions?.code, 'GATEWAY_QUERY_TOO_DEEP')
  t.equal(await liveConsumers(), 0, 'no consumer is left behind')
})

t.test('200 clients on one run hold one JetStream consumer, gone once they leave; a cancel ends the run for all', async (t) => {
  // Without a matcher the run stays submitted for as long as the test needs.
  await topology.processes.get('matcher')?.stop('SIGTERM')
  const invoices = new URL(topology.databaseUrl)
  invoices.searchParams.set('table', data.invoicesTable)
  const recipe = { ...data.recipe, recipe_id: 'fan-out', sources: { ...data.recipe.sources, left: { ...data.recipe.sources.left, uri: invoices.toString() } } }
  await graphqlOk(url, 'mutation ($input: RecipeInput!) { saveRecipe(input: $input) { recipeId } }', { input: recipeInput(recipe) })
  const upload = await uploadFile(`${url}/uploads`, data.paymentsCsv, 'payments.csv')
  const started = await graphqlOk<{ startRun: { runId: string } }>(url, 'mutation ($input: StartRunInput!) { startRun(input: $input) { runId } }',
    { input: { recipeId: recipe.recipe_id, files: [{ alias: 'payments', uploadId: upload.uploadId }] } })
  const runId = started.startRun.runId
  const query = 'subscription ($id: ID!) { runProgress(runId: $id) { status } }'
  const follow = (count: number) => {
    const clients = Array.from({ length: count }, () => wsClient(url))
    t.teardown(async () => { await Promise.all(clients.map((c) => c.dispose())) })
    return { clients, watched: clients.map((client) => watch<{ status: string }>(client, 'runProgress', query, { id: runId })) }
  }
  await waitFor(async () => await liveConsumers() === 0 ? true : undefined, 5000, 'no live consumer')
  const many = follow(200)
  await waitFor(() => many.watched.every((w) => w.values.length === 1) ? true : undefined, 30_000, 'every client\'s current state')
  t.equal(await liveConsumers(), 1, 'one consumer for 200 clients')
  await Promise.all(many.clients.map((c) => c.dispose()))
  await waitFor(async () => await liveConsumers() === 0 ? true : undefined, 2000, 'the consumer to be deleted after they disconnect')

  const few = follow(20)
  await waitFor(() => few.watched.every((w) => w.values.length === 1) ? true : undefined, 10_000, 'every client\'s current state')
  t.equal(await liveConsumers(), 1)
  await graphqlOk(url, 'mutation ($id: ID!) { cancelRun(runId: $id) { status } }', { id: runId })
  const ended = await Promise.all(few.watched.map(async (w) => await w.ended))
  t.ok(ended.every((e) => e.error === undefined), 'every subscription completed')
  t.ok(few.watched.every((w) => w.values.map((v) => v.status).join() === 'SUBMITTED,CANCELLED'), 'each client saw the run submitted, then cancelled')
  const after = await graphqlOk<{ run: { status: string } }>(url, 'query ($id: ID!) { run(runId: $id) { status } }', { id: runId })
  t.equal(after.run.status, 'CANCELLED', 'a run query right after the subscription completed finds the final state')
  await waitFor(async () => await liveConsumers() === 0 ? true : undefined, 2000, 'the consumer to be deleted')
})

// The same walk of proto's access table as in single mode, against the gateway as its own process (GraphiQL
// off, as the scaled gateway defaults), after the tests above.
t.test('every operation and route answers by role in scaled mode', async (t) => {
  await walkAccessTable(t, { url, idp, corsOrigin: CORS_ORIGIN, graphiql: false })
})
