import { randomBytes } from 'node:crypto'
import t from 'tap'
import { ConfigError } from '@kalla/service'
import { loadSourcesConfig } from '../src/config.ts'
import { redactUri, scrubSecrets } from '@kalla/proto'
import { createSecretBox, parseEncryptionKey } from '../src/domain/secret-box.ts'

t.test('redaction hides passwords and credential parameters and keeps everything else', async (t) => {
  t.equal(redactUri('postgres://user:pw@host:5432/db?table=x'), 'postgres://user:***@host:5432/db?table=x')
  t.equal(redactUri('postgres://user@host/db?table=public.t&sslmode=require'), 'postgres://user@host/db?table=public.t&sslmode=require')
  t.equal(redactUri('postgresql://u:p%40ss@h/db?query=SELECT%20*%20FROM%20t&password=x&sslpassword=y&token=z'), 'postgresql://u:***@h/db?query=SELECT%20*%20FROM%20t&password=***&sslpassword=***&token=***')
  t.equal(redactUri('bigquery://project/dataset?credentials=eyJhbGciOi&table=ledger'), 'bigquery://project/dataset?credentials=***&table=ledger')
  t.equal(redactUri('sources/ledger.csv'), 'sources/ledger.csv')
  t.equal(redactUri('not a uri:with@symbols'), 'not a uri:with@symbols')
  t.equal(scrubSecrets('login for user:hunter22 failed at postgres://user:hunter22@h/db', 'postgres://user:hunter22@h/db'), 'login for user:*** failed at postgres://user:***@h/db')
})

t.test('sealed values open only with the same key and context', async (t) => {
  const box = createSecretBox(randomBytes(32))
  const sealed = box.seal('postgres://u:secret@h/db', 'kalla.sources:erp')
  t.notMatch(sealed, 'secret')
  t.equal(box.open(sealed, 'kalla.sources:erp'), 'postgres://u:secret@h/db')
  t.throws(() => box.open(sealed, 'kalla.sources:other'))
  t.throws(() => createSecretBox(randomBytes(32)).open(sealed, 'kalla.sources:erp'))
})

t.test('the encryption key must be 32 bytes as hex or base64; a missing or short key is a configuration error', async (t) => {
  const hex = randomBytes(32).toString('hex')
  t.equal(parseEncryptionKey(hex).length, 32)
  t.equal(parseEncryptionKey(randomBytes(32).toString('base64')).length, 32)
  t.throws(() => parseEncryptionKey(randomBytes(16).toString('hex')), { code: 'CONFIG_INVALID' })
  t.throws(() => parseEncryptionKey('not a key at all'), { code: 'CONFIG_INVALID' })
  t.throws(() => loadSourcesConfig({}), { code: 'CONFIG_INVALID' }, 'a missing key is refused')
  const short = (() => { try { loadSourcesConfig({ KALLA_ENCRYPTION_KEY: 'abcd', KALLA_RESOLVE_KEY: 'efgh' }); return undefined } catch (e) { return e } })()
  t.ok(short instanceof ConfigError)
  t.match((short as ConfigError).problems.join('\n'), /KALLA_ENCRYPTION_KEY: must be 32 bytes/)
  t.match((short as ConfigError).problems.join('\n'), /KALLA_RESOLVE_KEY: must be 32 bytes/, 'every bad key is reported at once')
  t.notMatch((short as ConfigError).message, /abcd|efgh/, 'the message never repeats a key')
  const config = loadSourcesConfig({ KALLA_ENCRYPTION_KEY: hex, KALLA_RESOLVE_KEY: randomBytes(32).toString('base64') })
  t.same([config.SOURCES_DB_SCHEMA, config.SOURCES_UPLOAD_MAX_BYTES, config.SOURCES_UPLOAD_TTL_S], ['sources', 5 * 1024 ** 3, 604800])
})
