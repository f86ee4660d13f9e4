import t, { type Test } from 'tap'
import { decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose'
import { startIdentityProvider, type TestIdentityProvider } from '@kalla/testing'
import { createJwtVerifier, looksLikeJwt, type JwtVerifierOptions } from '../src/jwt-verifier.ts'

async function provider (t: Test): Promise<TestIdentityProvider> {
  const idp = await startIdentityProvider()
  t.teardown(idp.stop)
  return idp
}

function verifierFor (idp: TestIdentityProvider, options: Partial<JwtVerifierOptions> = {}) {
  const refusals: string[] = []
  const verifier = createJwtVerifier({ jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: idp.audience, algorithms: ['RS256', 'ES256'], roleClaim: 'kalla_role', onRefused: (reason) => { refusals.push(reason) }, ...options })
  return { verifier, refusals }
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

t.test('a token of the provider proves its subject, name, role and expiry', async (t) => {
  const idp = await provider(t)
  const { verifier } = verifierFor(idp)
  const token = await idp.sign({ sub: 'f3a9', preferred_username: 'ana', kalla_role: 'operator' }, { expiresInS: 120 })
  const identity = await verifier.verify(token)
  const exp = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).exp as number
  t.same(identity, { kind: 'jwt', subject: 'f3a9', name: 'ana', role: 'operator', expiresAt: new Date(exp * 1000) })
  t.ok(looksLikeJwt(token))
  t.notOk(looksLikeJwt(`kalla_${'0'.repeat(16)}_${'a'.repeat(43)}`), 'an API key is not taken for a token')
})

t.test('forged, expired, wrong-issuer, wrong-audience, alg none, HS256 and exp-less tokens are refused', async (t) => {
  const idp = await provider(t)
  const { verifier, refusals } = verifierFor(idp)
  const good = await idp.sign({ kalla_role: 'admin' })
  t.ok(await verifier.verify(good), 'the untouched token is accepted')
  const [header, payload] = good.split('.') as [string, string]
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>

  const impostor = await generateKeyPair('RS256')
  const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: decodeProtectedHeader(good).kid as string }).sign(impostor.privateKey)
  const tampered = `${header}.${base64url({ ...claims, kalla_role: 'admin', sub: 'someone-else' })}.${good.split('.')[2] ?? ''}`
  const cases = {
    'signed by another key under the provider\'s kid': forged,
    'claims changed after signing': tampered,
    expired: await idp.sign({ kalla_role: 'admin' }, { expiresInS: -10 }),
    'wrong issuer': await idp.sign({ kalla_role: 'admin', iss: 'https://evil.example/' }),
    'wrong audience': await idp.sign({ kalla_role: 'admin', aud: 'another-api' }),
    'alg none': `${base64url({ alg: 'none', typ: 'JWT' })}.${payload}.`,
    'HS256 with the public key as secret': `${base64url({ alg: 'HS256', typ: 'JWT' })}.${payload}.${Buffer.alloc(32).toString('base64url')}`,
    'no exp': await idp.sign({ kalla_role: 'admin' }, { expiresInS: null }),
    'not yet valid': await idp.sign({ kalla_role: 'admin', nbf: Math.floor(Date.now() / 1000) + 600 })
  }
  for (const [name, token] of Object.entries(cases)) {
    t.equal(await verifier.verify(token), undefined, name)
  }
  t.equal(refusals.length, Object.keys(cases).length, 'each refusal says why')
  t.match(refusals, [/ERR_JWS_SIGNATURE_VERIFICATION_FAILED/, /ERR_JWS_SIGNATURE_VERIFICATION_FAILED/, /ERR_JWT_EXPIRED/, /iss/, /aud/, /ERR_JOSE_ALG_NOT_ALLOWED/, /ERR_JOSE_ALG_NOT_ALLOWED/, /exp/, /nbf/])
  t.notOk(refusals.some((r) => Object.values(cases).some((token) => r.includes(token))), 'no reason repeats a token')
})

t.test('a token without a Kalla role in the role claim is refused', async (t) => {
  const idp = await provider(t)
  const { verifier, refusals } = verifierFor(idp)
  t.equal(await verifier.verify(await idp.sign({ sub: 'u9', kalla_role: 'superuser' })), undefined)
  t.equal(await verifier.verify(await idp.sign({ sub: 'u9' })), undefined)
  t.match(refusals, [/"u9" carries no Kalla role in its kalla_role claim/, /"u9" carries no Kalla role/])
})

t.test('a nested role claim is read through the role map, the highest role winning', async (t) => {
  const idp = await provider(t)
  const { verifier } = verifierFor(idp, { roleClaim: 'realm_access.roles', roleMap: { 'kalla-ops': 'operator', 'kalla-readers': 'viewer' } })
  const token = await idp.sign({ sub: 'k1', email: 'k@example.com', realm_access: { roles: ['offline_access', 'kalla-readers', 'kalla-ops'] } })
  t.match(await verifier.verify(token), { subject: 'k1', name: 'k@example.com', role: 'operator' })
  t.equal(await verifier.verify(await idp.sign({ realm_access: { roles: ['offline_access'] } })), undefined)
  const namespaced = createJwtVerifier({ jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: idp.audience, algorithms: ['RS256'], roleClaim: 'https://kalla.example/role' })
  t.match(await namespaced.verify(await idp.sign({ 'https://kalla.example/role': 'admin' })), { role: 'admin', name: 'user-1' }, 'a claim named with dots is read as one name')
})

t.test('keys are fetched once and cached; a token with a new kid makes the verifier fetch the rotated set', async (t) => {
  const idp = await provider(t)
  const { verifier } = verifierFor(idp, { jwksCooldownMs: 0 })
  t.ok(await verifier.verify(await idp.sign({ kalla_role: 'viewer' })))
  t.ok(await verifier.verify(await idp.sign({ kalla_role: 'viewer' })))
  t.equal(idp.fetches(), 1, 'the second token used the cached keys')
  const oldToken = await idp.sign({ kalla_role: 'viewer' })
  const kid = await idp.rotate({ dropOld: true })
  const rotated = await idp.sign({ kalla_role: 'viewer' })
  t.equal(decodeProtectedHeader(rotated).kid, kid)
  t.ok(await verifier.verify(rotated), 'the new key is fetched and used')
  t.equal(idp.fetches(), 2)
  t.equal(await verifier.verify(oldToken), undefined, 'a token of the dropped key is refused once the new set is in')
})

t.test('a token is refused when the JWKS cannot be fetched', async (t) => {
  const idp = await provider(t)
  const { verifier, refusals } = verifierFor(idp, { jwksUrl: idp.jwksUrl.replace('jwks.json', 'missing.json') })
  t.equal(await verifier.verify(await idp.sign({ kalla_role: 'admin' })), undefined)
  t.match(refusals, [/ERR_JOSE_GENERIC|ERR_JWKS/])
})
