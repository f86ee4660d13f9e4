import { createHash } from 'node:crypto'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { startIdentityProvider } from '@kalla/testing'
import { signInConnectOrigins, signInRoutes, type SignInOptions } from '../../src/auth/oidc-sign-in.ts'

const idp = await startIdentityProvider()
t.teardown(idp.stop)
const BASE = { KALLA_OIDC_PROVIDER_NAME: 'Test IdP', KALLA_OIDC_SCOPES: 'openid profile', KALLA_JWT_JWKS_URL: idp.jwksUrl, KALLA_JWT_ISSUER: idp.issuer }

async function signInOptions (t: Test, config: Parameters<typeof signInConnectOrigins>[0]): Promise<SignInOptions> {
  const app = Fastify()
  await app.register(signInRoutes, { config })
  t.teardown(() => app.close())
  const response = await app.inject({ method: 'GET', url: '/auth/config' })
  t.equal(response.headers['cache-control'], 'no-store')
  return response.json()
}

t.test('with a client id, the console learns the provider\'s endpoints from its discovery document', async (t) => {
  const options = await signInOptions(t, { ...BASE, KALLA_OIDC_CLIENT_ID: 'kalla-console' })
  t.same(options, { oidc: { name: 'Test IdP', clientId: 'kalla-console', scope: 'openid profile', authorizationEndpoint: `${idp.issuer}/authorize`, tokenEndpoint: `${idp.issuer}/token` } })
  t.same(signInConnectOrigins({ ...BASE, KALLA_OIDC_CLIENT_ID: 'kalla-console' }), [new URL(idp.issuer).origin], 'the page may connect to the provider\'s origin')
})

t.test('without a client id there is nothing to offer and the page connects nowhere else', async (t) => {
  t.same(await signInOptions(t, BASE), { oidc: null })
  t.same(signInConnectOrigins(BASE), [])
})

t.test('a discovery document of another issuer, or none, leaves API keys with a coded message', async (t) => {
  const other = await signInOptions(t, { ...BASE, KALLA_OIDC_CLIENT_ID: 'kalla-console', KALLA_JWT_ISSUER: `${idp.issuer}-other`, KALLA_OIDC_DISCOVERY_URL: idp.discoveryUrl })
  t.same([other.oidc, other.oidcProblem?.code], [null, 'GATEWAY_OIDC_UNAVAILABLE'])
  t.match(other.oidcProblem?.message, /Sign in with an API key/)
  const down = await signInOptions(t, { ...BASE, KALLA_OIDC_CLIENT_ID: 'kalla-console', KALLA_OIDC_DISCOVERY_URL: 'http://127.0.0.1:9/.well-known/openid-configuration' })
  t.same([down.oidc, down.oidcProblem?.code], [null, 'GATEWAY_OIDC_UNAVAILABLE'])
})

t.test('a client id without the KALLA_JWT_* settings stops the start', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(async () => {
    await app.register(signInRoutes, { config: { KALLA_OIDC_CLIENT_ID: 'kalla-console', KALLA_OIDC_PROVIDER_NAME: 'x', KALLA_OIDC_SCOPES: 'openid' } })
    await app.ready()
  }, /KALLA_OIDC_CLIENT_ID needs KALLA_JWT_JWKS_URL/)
})

t.test('the test provider refuses a reused code and a wrong verifier at its token endpoint', async (t) => {
  idp.addClient({ clientId: 'direct', redirectUris: ['http://127.0.0.1:1/'] })
  idp.addUser('dora', { kalla_role: 'viewer' })
  const verifier = 'v'.repeat(50)
  const challenge = createHash('sha256').update(verifier).digest('base64url')
  const code = async (): Promise<string> => {
    const form = new URLSearchParams({ client_id: 'direct', redirect_uri: 'http://127.0.0.1:1/', state: 's1', code_challenge: challenge, scope: 'openid', username: 'dora', action: 'sign-in' })
    const response = await fetch(`${idp.issuer}/authorize`, { method: 'POST', body: form, redirect: 'manual' })
    const location = new URL(response.headers.get('location') ?? '')
    t.equal(location.searchParams.get('state'), 's1', 'the state comes back as sent')
    return location.searchParams.get('code') ?? ''
  }
  const exchange = async (value: string, withVerifier: string) => await fetch(`${idp.issuer}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code: value, client_id: 'direct', redirect_uri: 'http://127.0.0.1:1/', code_verifier: withVerifier }) })
  const first = await code()
  const ok = await exchange(first, verifier)
  t.equal(ok.status, 200)
  t.match(await ok.json(), { token_type: 'Bearer', expires_in: 300, access_token: /^ey/ })
  t.same([(await exchange(first, verifier)).status, idp.tokenAttempts.at(-1)], [400, { ok: false, error: 'invalid_grant' }], 'a code works once')
  t.same([(await exchange(await code(), 'w'.repeat(50))).status, idp.tokenAttempts.at(-1)], [400, { ok: false, error: 'invalid_grant' }], 'a wrong verifier is refused')
})
