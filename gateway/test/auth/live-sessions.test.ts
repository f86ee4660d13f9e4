import t, { type Test } from 'tap'
import { createKey, revokeKey } from '@kalla/auth'
import { KALLA_RUNS, RunUpdates } from '@kalla/proto'
import { errorCode, graphqlOk, startIdentityProvider, waitFor, watch, wsClient, type Watched } from '@kalla/testing'
import { run } from '../fixtures.ts'
import { startGateway } from '../harness.ts'

// Open websockets whose credentials stop being valid, through real graphql-ws clients. Keys are looked up
// again on every use here (cache 0) and open sockets rechecked every 200 ms, so the bound is 200 ms.
const idp = await startIdentityProvider()
t.teardown(idp.stop)
const { bus, url, keysDb } = await startGateway(t, {
  KALLA_JWT_JWKS_URL: idp.jwksUrl,
  KALLA_JWT_ISSUER: idp.issuer,
  KALLA_JWT_AUDIENCE: idp.audience,
  GATEWAY_KEY_CACHE_TTL_S: '0',
  GATEWAY_WS_RECHECK_MS: '200'
})

const UPDATES = 'subscription { runUpdated { runId } }'
const live = (): number => bus.liveSubscriptions(KALLA_RUNS.name)

/** A client with two open runUpdated subscriptions, and how its socket closes. */
async function subscribed (t: Test, key: string): Promise<{ subscriptions: Array<Watched<unknown>>, closed: Promise<{ code: number, reason: string }> }> {
  const client = wsClient(url, { key })
  t.teardown(() => client.dispose())
  const closed = new Promise<{ code: number, reason: string }>((resolve) => {
    client.on('closed', (event) => { const { code, reason } = event as { code: number, reason: string }; resolve({ code, reason }) })
  })
  const subscriptions = [watch(client, 'runUpdated', UPDATES), watch(client, 'runUpdated', UPDATES)]
  await waitFor(() => live() === 1 ? true : undefined, 5000, 'the subscriptions to start')
  return { subscriptions, closed }
}

async function expectEnded (t: Test, session: Awaited<ReturnType<typeof subscribed>>, reason: string): Promise<void> {
  for (const subscription of session.subscriptions) {
    const { error } = await subscription.ended
    t.equal(errorCode(error), 'UNAUTHENTICATED', 'each subscription ends with UNAUTHENTICATED')
    t.match((error as Array<{ message: string }>)[0]?.message, reason)
  }
  t.same(await session.closed, { code: 4401, reason }, 'the socket closes with 4401 and the reason')
  await waitFor(() => live() === 0 ? true : undefined, 5000, 'the bus subscription to be released')
}

t.test('a websocket opened with a token ends when the token expires', async (t) => {
  const session = await subscribed(t, await idp.sign({ kalla_role: 'viewer' }, { expiresInS: 2 }))
  await expectEnded(t, session, 'The token expired')
})

t.test('a key revoked through this gateway ends its websockets at once, and not those of other keys', async (t) => {
  const doomed = await createKey(keysDb, 'dashboard', 'viewer')
  const other = await createKey(keysDb, 'reporting', 'viewer')
  const session = await subscribed(t, doomed.key)
  const survivor = wsClient(url, { key: other.key })
  t.teardown(() => survivor.dispose())
  const kept = watch<{ runId: string }>(survivor, 'runUpdated', UPDATES)
  await waitFor(async () => { await publishNewRun(); return kept.values.length > 0 ? true : undefined }, 5000, 'the other key\'s subscription to run')

  t.equal((await graphqlOk<{ revokeApiKey: boolean }>(url, `mutation { revokeApiKey(id: "${doomed.id}") }`)).revokeApiKey, true)
  for (const subscription of session.subscriptions) t.equal(errorCode((await subscription.ended).error), 'UNAUTHENTICATED')
  t.same(await session.closed, { code: 4401, reason: 'The API key was revoked' })

  const seen = kept.values.length
  const after = await publishNewRun()
  await waitFor(() => kept.values.length > seen ? true : undefined, 5000, 'an update after the revocation')
  t.equal(kept.values.at(-1)?.runId, after, 'the other key\'s subscription goes on')
  kept.unsubscribe()
  await waitFor(() => live() === 0 ? true : undefined, 5000, 'every bus subscription to be released')
})

t.test('a key revoked elsewhere (kalla keys revoke, another gateway) ends its websockets at the next recheck', async (t) => {
  const created = await createKey(keysDb, 'nightly', 'operator')
  const session = await subscribed(t, created.key)
  // What `kalla keys revoke` does: the row changes in the database, this gateway is not told.
  t.equal(await revokeKey(keysDb, created.id), true)
  await expectEnded(t, session, 'The API key was revoked')
})

t.test('a websocket whose key and token stay valid is left open by the rechecks', async (t) => {
  const created = await createKey(keysDb, 'steady', 'viewer')
  const session = await subscribed(t, created.key)
  await new Promise((resolve) => setTimeout(resolve, 1000))
  t.equal(live(), 1, 'the subscription is still open after several rechecks')
  for (const subscription of session.subscriptions) subscription.unsubscribe()
  for (const subscription of session.subscriptions) t.same(await subscription.ended, {})
  await waitFor(() => live() === 0 ? true : undefined, 5000, 'the bus subscription to be released')
})

let runs = 0
async function publishNewRun (): Promise<string> {
  const state = run(`run-live-${++runs}`, 'r1', 'submitted')
  await bus.publish(RunUpdates, state, { subjectSuffix: state.run_id, msgId: `${state.run_id}@${state.updated_at}` })
  return state.run_id
}
