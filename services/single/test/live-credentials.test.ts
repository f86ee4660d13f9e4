import t, { type Test } from 'tap'
import type { MemoryBus } from '@kalla/bus'
import { runCli } from '@kalla/cli'
import { KALLA_RUNS } from '@kalla/proto'
import { capturedOutput, errorCode, graphqlOk, startIdentityProvider, waitFor, watch, wsClient } from '@kalla/testing'
import { startSingle } from './harness.ts'

// Single mode as `npm start` runs it; keys are trusted for 1 s and open websockets rechecked every 200 ms,
// so a key revoked with `kalla keys revoke` (which only changes the database) ends its subscriptions within 1.2 s.
const idp = await startIdentityProvider()
t.teardown(idp.stop)
const { url, databaseUrl, infrastructure } = await startSingle(t, 10, {
  KALLA_JWT_JWKS_URL: idp.jwksUrl,
  KALLA_JWT_ISSUER: idp.issuer,
  KALLA_JWT_AUDIENCE: idp.audience,
  GATEWAY_KEY_CACHE_TTL_S: '1',
  GATEWAY_WS_RECHECK_MS: '200'
})
const bus = infrastructure.bus as MemoryBus

function follow (t: Test, key: string) {
  const client = wsClient(url, { key })
  t.teardown(() => client.dispose())
  const closed = new Promise<{ code: number, reason: string }>((resolve) => {
    client.on('closed', (event) => { const { code, reason } = event as { code: number, reason: string }; resolve({ code, reason }) })
  })
  return { updates: watch(client, 'runUpdated', 'subscription { runUpdated { runId status } }'), closed }
}

t.test('kalla keys revoke ends the open subscriptions of the key', async (t) => {
  const created = (await graphqlOk<{ createApiKey: { id: string, key: string } }>(url, 'mutation { createApiKey(name: "wallboard", role: VIEWER) { id key } }')).createApiKey
  const { updates, closed } = follow(t, created.key)
  await waitFor(() => bus.liveSubscriptions(KALLA_RUNS.name) === 1 ? true : undefined, 5000, 'the subscription to start')
  const out = capturedOutput()
  t.equal(await runCli(['keys', 'revoke', created.id], { ...out, databaseUrl }), 0, out.text().stderr)
  t.equal(errorCode((await updates.ended).error), 'UNAUTHENTICATED')
  t.same(await closed, { code: 4401, reason: 'The API key was revoked' })
  await waitFor(() => bus.liveSubscriptions(KALLA_RUNS.name) === 0 ? true : undefined, 5000, 'the bus subscription to be released')
})

t.test('a token\'s websocket ends when the token expires', async (t) => {
  const { updates, closed } = follow(t, await idp.sign({ sub: 'wall-2', kalla_role: 'viewer' }, { expiresInS: 2 }))
  t.equal(errorCode((await updates.ended).error), 'UNAUTHENTICATED')
  t.same(await closed, { code: 4401, reason: 'The token expired' })
})
