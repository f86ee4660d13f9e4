import t from 'tap'
import { KALLA_RUNS } from '@kalla/proto'
import { errorCode, graphql, startIdentityProvider, waitFor, watch, wsClient } from '@kalla/testing'
import { startGateway } from '../harness.ts'

// The gateway with an OIDC provider stand-in: a real HTTP server serving the JWKS, tokens signed by the test.
const idp = await startIdentityProvider()
t.teardown(idp.stop)
const { bus, url, logs } = await startGateway(t, {
  KALLA_JWT_JWKS_URL: idp.jwksUrl,
  KALLA_JWT_ISSUER: idp.issuer,
  KALLA_JWT_AUDIENCE: `other-app,${idp.audience}`,
  KALLA_JWT_ROLE_CLAIM: 'realm_access.roles',
  KALLA_JWT_ROLE_MAP: 'kalla-admins=admin,kalla-ops=operator',
  KALLA_JWT_JWKS_COOLDOWN_S: '0'
}, { logLevel: 'info' })
const realm = (...roles: string[]) => ({ realm_access: { roles: ['offline_access', ...roles] } })

t.test('a token carries its mapped role through HTTP and the websocket', async (t) => {
  const viewer = await idp.sign({ sub: 'v-1', ...realm('viewer') })
  const admin = await idp.sign({ sub: 'a-1', ...realm('kalla-admins') })
  t.same((await graphql(url, '{ __typename }', {}, { key: viewer })).data, { __typename: 'Query' })
  const forbidden = await graphql(url, '{ apiKeys { id } }', {}, { key: viewer })
  t.same([forbidden.errors?.[0]?.extensions?.code, forbidden.errors?.[0]?.message], ['FORBIDDEN', 'This needs the admin role; the key or token used has the viewer role.'])
  t.same((await graphql(url, '{ apiKeys { id } }', {}, { key: admin })).data, { apiKeys: [] }, 'a mapped admin may list keys')

  const upload = await fetch(`${url}/uploads`, { method: 'POST', headers: { authorization: `Bearer ${viewer}` } })
  t.equal(upload.status, 403, 'an HTTP route checks the token\'s role too')
  const operator = await fetch(`${url}/uploads`, { method: 'POST', headers: { authorization: `Bearer ${await idp.sign(realm('kalla-ops'))}` } })
  t.not(operator.status, 403, 'a mapped operator passes the role check of uploads')
  t.not(operator.status, 401)

  const client = wsClient(url, { key: viewer })
  t.teardown(() => client.dispose())
  const updates = watch(client, 'runUpdated', 'subscription { runUpdated { runId } }')
  await waitFor(() => bus.liveSubscriptions(KALLA_RUNS.name) === 1 ? true : undefined, 5000, 'the subscription to start')
  updates.unsubscribe()
  t.same(await updates.ended, {}, 'a viewer\'s token opens a subscription')
})

t.test('forged, expired, wrong-issuer, wrong-audience, alg none and exp-less tokens get 401, and the reason is logged without the token', async (t) => {
  const good = await idp.sign(realm('kalla-admins'))
  const [header, payload, signature] = good.split('.') as [string, string, string]
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>
  const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`
  const cases = {
    forged: `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url')}.${signature}`,
    expired: await idp.sign(realm('kalla-admins'), { expiresInS: -5 }),
    'wrong issuer': await idp.sign({ ...realm('kalla-admins'), iss: 'https://login.example/' }),
    'wrong audience': await idp.sign({ ...realm('kalla-admins'), aud: 'not-kalla' }),
    'alg none': none,
    'no exp': await idp.sign(realm('kalla-admins'), { expiresInS: null }),
    'no Kalla role': await idp.sign(realm('finance'))
  }
  for (const [name, token] of Object.entries(cases)) {
    const response = await graphql(url, '{ __typename }', {}, { key: token })
    t.same([response.status, response.errors?.[0]?.extensions?.code], [401, 'UNAUTHENTICATED'], name)
    const client = wsClient(url, { key: token })
    t.equal(errorCode((await watch(client, 'runUpdated', 'subscription { runUpdated { runId } }').ended).error), 'UNAUTHENTICATED', `${name}, on the websocket`)
    await client.dispose()
  }
  const refused = logs.filter((line) => line.includes('a bearer token was refused'))
  t.ok(refused.some((line) => line.includes('ERR_JWT_EXPIRED')), 'an expiry is logged as such')
  t.ok(refused.some((line) => line.includes('carries no Kalla role in its realm_access.roles claim')), 'a token without a role says which claim was read')
  t.notOk(logs.some((line) => Object.values(cases).some((token) => line.includes(token)) || line.includes(signature)), 'no token is in any log line')
})

t.test('a token of a rotated key is accepted once the gateway has fetched the new JWKS', async (t) => {
  t.equal((await graphql(url, '{ __typename }', {}, { key: await idp.sign(realm('viewer')) })).status, 200)
  const fetched = idp.fetches()
  await idp.rotate({ dropOld: true })
  const response = await graphql(url, '{ __typename }', {}, { key: await idp.sign(realm('viewer')) })
  t.same([response.status, response.data], [200, { __typename: 'Query' }])
  t.equal(idp.fetches(), fetched + 1, 'the new kid made the gateway fetch the set again')
})

t.test('API keys keep working beside tokens', async (t) => {
  t.same((await graphql(url, '{ apiKeys { id } }')).data, { apiKeys: [] }, 'the admin key')
})
