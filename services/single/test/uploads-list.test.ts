import { randomBytes } from 'node:crypto'
import t, { type Test } from 'tap'
import { graphql, graphqlOk, startIdentityProvider } from '@kalla/testing'
import { startSingle } from './harness.ts'

interface Listed { id: string, filename: string, format: string, sizeBytes: number, uploadedAt: string, expiresAt: string, columns: Array<{ name: string, type: string }> }
const LIST = '{ uploads(limit: 10) { id filename format sizeBytes uploadedAt expiresAt columns { name type } } }'

const idp = await startIdentityProvider()
t.teardown(idp.stop)
const { url } = await startSingle(t, 20, { KALLA_JWT_JWKS_URL: idp.jwksUrl, KALLA_JWT_ISSUER: idp.issuer, KALLA_JWT_AUDIENCE: idp.audience })

async function upload (t: Test, key: string, filename: string, body: string): Promise<{ uploadId: string }> {
  const form = new FormData()
  form.append('file', new Blob([body]), filename)
  const response = await fetch(`${url}/uploads`, { method: 'POST', body: form, headers: { authorization: `Bearer ${key}` } })
  t.equal(response.status, 201, `${filename} uploaded`)
  return await response.json() as { uploadId: string }
}

async function newKey (role: 'OPERATOR' | 'VIEWER'): Promise<string> {
  const { createApiKey } = await graphqlOk<{ createApiKey: { key: string } }>(url, `mutation { createApiKey(name: "uploads-${randomBytes(3).toString('hex')}", role: ${role}) { key } }`)
  return createApiKey.key
}

t.test('uploads lists the caller\'s own uploads, newest first, with what was detected in each', async (t) => {
  const ana = await newKey('OPERATOR')
  const ben = await newKey('OPERATOR')
  const first = await upload(t, ana, 'ledger.csv', 'entry_id,amount\nE1,10.50\nE2,3.25\n')
  const second = await upload(t, ana, 'bank.csv', 'txn_id,paid,booked_on\nT1,10.50,2026-11-30\n')
  const bens = await upload(t, ben, 'other.csv', 'id\n1\n')

  const { uploads } = await graphqlOk<{ uploads: Listed[] }>(url, LIST, {}, { key: ana })
  t.same(uploads.map((u) => u.id), [second.uploadId, first.uploadId], 'both of hers, the later one first, and not his')
  const [bank, ledger] = uploads as [Listed, Listed]
  t.same([bank.filename, bank.format, bank.sizeBytes, bank.columns.map((c) => c.name)], ['bank.csv', 'csv', 'txn_id,paid,booked_on\nT1,10.50,2026-11-30\n'.length, ['txn_id', 'paid', 'booked_on']])
  t.same([ledger.filename, ledger.sizeBytes, ledger.columns.map((c) => c.name)], ['ledger.csv', 'entry_id,amount\nE1,10.50\nE2,3.25\n'.length, ['entry_id', 'amount']])
  t.ok(Date.parse(bank.uploadedAt) >= Date.parse(ledger.uploadedAt) && Date.parse(bank.expiresAt) > Date.parse(bank.uploadedAt), 'upload and expiry times are ordered')

  const his = await graphqlOk<{ uploads: Listed[] }>(url, LIST, {}, { key: ben })
  t.same(his.uploads.map((u) => u.id), [bens.uploadId], 'he sees only his')
  const one = await graphqlOk<{ uploads: Listed[] }>(url, '{ uploads(limit: 1) { id } }', {}, { key: ana })
  t.same(one.uploads.map((u) => u.id), [second.uploadId], 'the limit keeps the newest')
})

t.test('a token\'s uploads are its subject\'s, and a viewer has none', async (t) => {
  const token = await idp.sign({ sub: 'oidc-user', kalla_role: 'operator' })
  const again = await idp.sign({ sub: 'oidc-user', kalla_role: 'operator' })
  const made = await upload(t, token, 'from-token.csv', 'id\n1\n')
  const { uploads } = await graphqlOk<{ uploads: Listed[] }>(url, LIST, {}, { key: again })
  t.same(uploads.map((u) => u.id), [made.uploadId], 'another token of the same subject lists it')
  const viewer = await graphqlOk<{ uploads: Listed[] }>(url, LIST, {}, { key: await newKey('VIEWER') })
  t.same(viewer.uploads, [])
})

t.test('a limit out of range and a missing key are refused with their codes', async (t) => {
  const tooMany = await graphql(url, '{ uploads(limit: 101) { id } }')
  t.equal(tooMany.errors?.[0]?.extensions?.code, 'GATEWAY_LIMIT_OUT_OF_RANGE')
  const anonymous = await graphql(url, LIST, {}, { key: null })
  t.same([anonymous.status, anonymous.errors?.[0]?.extensions?.code], [401, 'UNAUTHENTICATED'])
})
