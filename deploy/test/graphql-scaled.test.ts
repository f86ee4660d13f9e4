import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jetstreamManager, type ConsumerInfo } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import t from 'tap'
import { KALLA_EVENTS } from '@kalla/proto'
import { errorCode, graphql, graphqlFlow, prepareFlowData, waitFor, watch, wsClient } from '@kalla/testing'
import { startTopology } from './topology.ts'

// The gateway as its own OS process next to every service, all over real NATS JetStream, Postgres and S3.
const dir = await mkdtemp(join(tmpdir(), 'kalla-gateway-scaled-'))
const topology = await startTopology()
const admin = await connect({ servers: topology.natsUrl, name: 'gateway-scaled-test' })
t.teardown(async () => {
  await admin.close()
  await topology.stop()
  await rm(dir, { recursive: true, force: true })
})
await Promise.all([topology.start('sources', 'sources'), topology.start('recipes', 'recipes'), topology.start('runs', 'runs'), topology.start('matcher', 'matcher')])
await topology.start('gateway', 'gateway')
const url = `http://127.0.0.1:${topology.port('gateway')}`
const data = await prepareFlowData(join(dir, 'flow'), topology.databaseUrl, 2000)
const jsm = await jetstreamManager(admin)

// Live subscriptions are ephemeral consumers (no durable name); the runs service's durable one is not counted.
const liveConsumers = async (): Promise<number> => {
  const consumers: Array<ConsumerInfo | null> = await jsm.consumers.list(KALLA_EVENTS.name).next()
  return consumers.filter((c) => c !== null && (c.config.durable_name ?? '') === '').length
}

t.test('the gateway process serves the whole flow with every service in its own process', async (t) => {
  await graphqlFlow(t, url, data, topology.databaseUrl)
})

t.test('a client that disconnects ends its JetStream consumer at once', async (t) => {
  // Nothing else follows run events while no run is working (a matcher does during a job).
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
