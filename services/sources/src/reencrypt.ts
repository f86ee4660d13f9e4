// `node services/sources/src/reencrypt.ts` (or `npm run reencrypt`): seals every stored source URI again
// with KALLA_ENCRYPTION_KEY, opening each with it or one of KALLA_ENCRYPTION_KEYS_PREVIOUS. Exits 1 while
// any source opens with none of them (they are named; update them with their URI).
import Type from 'typebox'
import { openDatabase } from '@kalla/db'
import { ConfigError, loadConfig, parseKey, parseKeyList } from '@kalla/service'
import { SourcesConfig } from './config.ts'
import type { SourcesDb } from './db/sources-repository.ts'
import { reencryptSources } from './domain/reencrypt.ts'
import { createSecretBox } from './domain/secret-box.ts'

const ReencryptConfig = Type.Pick(SourcesConfig, ['DATABASE_URL', 'SOURCES_DB_SCHEMA', 'KALLA_ENCRYPTION_KEY', 'KALLA_ENCRYPTION_KEYS_PREVIOUS'])

try {
  const config = loadConfig(ReencryptConfig, process.env)
  if (config.DATABASE_URL === undefined) throw new ConfigError(['DATABASE_URL: required'])
  const secrets = createSecretBox(parseKey('KALLA_ENCRYPTION_KEY', config.KALLA_ENCRYPTION_KEY), parseKeyList('KALLA_ENCRYPTION_KEYS_PREVIOUS', config.KALLA_ENCRYPTION_KEYS_PREVIOUS))
  const database = await openDatabase({ url: config.DATABASE_URL })
  try {
    const done = await reencryptSources(database.db.withSchema(config.SOURCES_DB_SCHEMA) as SourcesDb, secrets)
    process.stdout.write(`re-encrypted ${done.resealed.length} source(s) with key ${secrets.keyId}; ${done.current.length} already current\n`)
    if (done.unreadable.length > 0) {
      process.stderr.write(`reencrypt: ${done.unreadable.length} source(s) open with none of the configured keys: ${done.unreadable.join(', ')}; add their key to KALLA_ENCRYPTION_KEYS_PREVIOUS, or update them with their URI\n`)
      process.exitCode = 1
    }
  } finally {
    await database.close()
  }
} catch (error) {
  process.stderr.write(`reencrypt: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 2
}
