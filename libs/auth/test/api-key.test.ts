import t from 'tap'
import { bearerToken, generateApiKey, hashSecret, parseApiKey, sameHash } from '../src/api-key.ts'

t.test('a generated key carries its id and 32 random bytes of secret, and only the hash of the secret is kept', async (t) => {
  const { id, key, hash } = generateApiKey()
  t.match(key, /^kalla_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/)
  const parsed = parseApiKey(key)
  t.equal(parsed?.id, id)
  t.equal(Buffer.from(parsed?.secret ?? '', 'base64url').length, 32)
  t.ok(sameHash(hash, hashSecret(parsed?.secret ?? '')))
  t.notOk(key.includes(hash.toString('hex')), 'the key is not derived visibly from the hash')
  t.not(generateApiKey().key, key, 'two keys differ')
})

t.test('malformed keys do not parse', async (t) => {
  for (const bad of ['', 'kalla_', 'kalla_abc_def', `kalla_${'0'.repeat(16)}_short`, `other_${'0'.repeat(16)}_${'a'.repeat(43)}`]) {
    t.equal(parseApiKey(bad), undefined, JSON.stringify(bad))
  }
})

t.test('hashes of different lengths compare unequal without throwing', async (t) => {
  t.notOk(sameHash(Buffer.from('ab'), Buffer.from('abc')))
})

t.test('the bearer token is read from the Authorization header, any case of the scheme', async (t) => {
  t.equal(bearerToken('Bearer abc'), 'abc')
  t.equal(bearerToken('bearer  abc '), 'abc')
  t.equal(bearerToken('Basic abc'), undefined)
  t.equal(bearerToken(undefined), undefined)
  t.equal(bearerToken(['Bearer abc']), undefined)
})
