import t from 'tap'
import { parseApiKey } from '../src/api-key.ts'
import { createKey, listKeys, revokeKey } from '../src/keys-repository.ts'
import { ADMIN_KEY_ID, createKeyVerifier } from '../src/verifier.ts'
import { startIdentityProvider } from '@kalla/testing'
import { createJwtVerifier } from '../src/jwt-verifier.ts'
import { authDb } from './fixtures.ts'

t.test('a created key verifies with its role, is listed without its secret, and stops after revocation once the cache expires', async (t) => {
  const db = await authDb(t)
  let clock = 1_000_000
  const verifier = createKeyVerifier({ db, cacheTtlMs: 30_000, now: () => clock })
  const created = await createKey(db, 'ci', 'operator')
  t.same(await verifier.verify(created.key), { kind: 'api-key', subject: created.id, name: 'ci', role: 'operator' })

  const listed = await listKeys(db)
  t.equal(listed.length, 1)
  t.same(Object.keys(listed[0] ?? {}).sort(), ['created_at', 'id', 'last_used_at', 'name', 'revoked_at', 'role'])
  t.notOk(JSON.stringify(listed).includes(created.key.replace(/^kalla_[0-9a-f]{16}_/, '')), 'the listing holds no secret')

  t.equal(await revokeKey(db, created.id), true)
  t.equal(await revokeKey(db, created.id), false, 'a second revocation changes nothing')
  t.ok(await verifier.verify(created.key), 'within the cache time the revoked key still works')
  clock += 30_001
  t.equal(await verifier.verify(created.key), undefined, 'after the cache time it is refused')
})

t.test('forget makes a revocation take effect at once', async (t) => {
  const db = await authDb(t)
  const verifier = createKeyVerifier({ db })
  const created = await createKey(db, 'x', 'viewer')
  t.ok(await verifier.verify(created.key))
  await revokeKey(db, created.id)
  verifier.forget(created.id)
  t.equal(await verifier.verify(created.key), undefined)
})

t.test('a wrong secret for a real id, an unknown id and garbage are refused', async (t) => {
  const db = await authDb(t)
  const verifier = createKeyVerifier({ db })
  const created = await createKey(db, 'x', 'viewer')
  const secret = parseApiKey(created.key)?.secret ?? ''
  const flipped = created.key.slice(0, -1) + (created.key.endsWith('A') ? 'B' : 'A')
  t.equal(await verifier.verify(flipped), undefined)
  t.equal(await verifier.verify(`kalla_${'0'.repeat(16)}_${'a'.repeat(43)}`), undefined)
  t.equal(await verifier.verify('garbage'), undefined)
  t.equal(await verifier.verify(secret), undefined, 'the secret alone is not a key')
})

t.test('a configured admin key verifies as admin without being stored', async (t) => {
  const db = await authDb(t)
  const admin = 'a'.repeat(40)
  const verifier = createKeyVerifier({ db, adminKeys: [admin] })
  t.same(await verifier.verify(admin), { kind: 'api-key', subject: ADMIN_KEY_ID, name: 'KALLA_ADMIN_KEY', role: 'admin' })
  t.equal(await verifier.verify('a'.repeat(39)), undefined)
  t.same(await listKeys(db), [])
})

t.test('last_used_at is written on first use and then at most once per interval', async (t) => {
  const db = await authDb(t)
  let clock = Date.parse('2026-12-01T10:00:00.000Z')
  const verifier = createKeyVerifier({ db, cacheTtlMs: 1_000_000, touchIntervalMs: 60_000, now: () => clock })
  const created = await createKey(db, 'x', 'viewer')
  const lastUsed = async () => { await new Promise((resolve) => setTimeout(resolve, 50)); return (await listKeys(db))[0]?.last_used_at }
  t.equal((await listKeys(db))[0]?.last_used_at, null)
  await verifier.verify(created.key)
  t.equal(await lastUsed(), '2026-12-01T10:00:00.000Z')
  clock += 59_000
  await verifier.verify(created.key)
  t.equal(await lastUsed(), '2026-12-01T10:00:00.000Z', 'not again within a minute')
  clock += 2_000
  await verifier.verify(created.key)
  t.equal(await lastUsed(), '2026-12-01T10:01:01.000Z', 'again after a minute')
})

t.test('one verifier takes an API key or a JWT, told apart by shape, and refuses tokens when no provider is configured', async (t) => {
  const db = await authDb(t)
  const idp = await startIdentityProvider()
  t.teardown(idp.stop)
  const jwt = createJwtVerifier({ jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: idp.audience, algorithms: ['RS256'], roleClaim: 'kalla_role' })
  const verifier = createKeyVerifier({ db, jwt })
  const created = await createKey(db, 'ci', 'operator')
  const token = await idp.sign({ sub: 'u-7', name: 'Ana Lima', kalla_role: 'viewer' })
  t.match(await verifier.verify(created.key), { kind: 'api-key', subject: created.id, role: 'operator' })
  t.match(await verifier.verify(token), { kind: 'jwt', subject: 'u-7', name: 'Ana Lima', role: 'viewer', expiresAt: Date })
  t.equal(await createKeyVerifier({ db }).verify(token), undefined, 'without KALLA_JWT_* a token is refused')
})
