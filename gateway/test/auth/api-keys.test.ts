import t from 'tap'
import { errorCode, graphql, graphqlOk, watch, wsClient } from '@kalla/testing'
import { startGateway } from '../harness.ts'

const { url, logs } = await startGateway(t)

t.test('a created key is shown once, works with its role, is listed without its secret, and stops at once when revoked here', async (t) => {
  const created = (await graphqlOk<{ createApiKey: { id: string, key: string, name: string, role: string } }>(url,
    'mutation { createApiKey(name: "reporting", role: VIEWER) { id key name role } }')).createApiKey
  t.match(created, { name: 'reporting', role: 'VIEWER' })
  t.match(created.key, new RegExp(`^kalla_${created.id}_`))
  const viewer = { key: created.key }
  t.equal((await graphql(url, '{ apiKeys { id } }', {}, viewer)).errors?.[0]?.extensions?.code, 'FORBIDDEN', 'a viewer may not list keys')

  const listed = (await graphqlOk<{ apiKeys: Array<Record<string, unknown>> }>(url, '{ apiKeys { id name role createdAt revokedAt lastUsedAt } }')).apiKeys
  const entry = listed.find((k) => k.id === created.id)
  t.match(entry, { name: 'reporting', role: 'VIEWER', revokedAt: null })
  t.ok(entry !== undefined && 'lastUsedAt' in entry, 'the last use is listed (its updates are tested in libs/auth)')
  t.notOk(JSON.stringify(listed).includes(created.key), 'the listing does not hold the key')

  t.equal((await graphqlOk<{ revokeApiKey: boolean }>(url, `mutation { revokeApiKey(id: "${created.id}") }`)).revokeApiKey, true)
  const refused = await graphql(url, '{ sources { alias } }', {}, viewer)
  t.same([refused.status, refused.errors?.[0]?.extensions?.code], [401, 'UNAUTHENTICATED'], 'the revoked key is refused at once')
  const client = wsClient(url, viewer)
  t.teardown(() => client.dispose())
  t.equal(errorCode((await watch(client, 'runUpdated', 'subscription { runUpdated { runId } }').ended).error), 'UNAUTHENTICATED', 'and on the websocket')
  t.equal((await graphqlOk<{ revokeApiKey: boolean }>(url, `mutation { revokeApiKey(id: "${created.id}") }`)).revokeApiKey, false, 'a second revocation changes nothing')
  t.notOk(logs.some((line) => line.includes(created.key)), 'the key is in no log line')
})

t.test('a key needs a name', async (t) => {
  t.equal((await graphql(url, 'mutation { createApiKey(name: "  ", role: ADMIN) { id } }')).errors?.[0]?.extensions?.code, 'GATEWAY_KEY_NAME_INVALID')
})

t.test('a key of another scheme or a malformed header is refused with UNAUTHENTICATED', async (t) => {
  for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer kalla_0000000000000000_nope']) {
    const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ query: '{ __typename }' }) })
    t.equal(response.status, 401, authorization)
    t.equal(response.headers.get('www-authenticate'), 'Bearer')
    t.match(await response.json(), { data: null, errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] })
  }
})
