import { execFile } from 'node:child_process'
import { join } from 'node:path'
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

t.test('the example subscriber takes a token from KALLA_KEY and exits 1 with UNAUTHENTICATED when it expires', async (t) => {
  const token = await idp.sign({ sub: 'wall-3', kalla_role: 'viewer' }, { expiresInS: 2 })
  const script = join(import.meta.dirname, '../../../examples/graphql-subscribe.mjs')
  const { code, stdout, stderr } = await new Promise<{ code: number | null, stdout: string, stderr: string }>((resolve) => {
    execFile(process.execPath, [script, '--url', url, 'subscription { runUpdated { runId } }'], { env: { ...process.env, KALLA_KEY: token }, cwd: join(import.meta.dirname, '../../..') }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : (error as { code?: number }).code ?? null, stdout, stderr })
    })
  })
  t.equal(code, 1)
  t.equal(stdout, '')
  t.match(stderr, /^UNAUTHENTICATED: The token expired\./)
  t.notOk(stderr.includes(token), 'the token is not printed')
})
