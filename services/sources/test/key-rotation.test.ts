import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { sql } from 'kysely'
import { createMemoryBus } from '@kalla/bus'
import { ListSources, RegisterSource, ResolveSource } from '@kalla/proto'
import { sourceAccess } from '@kalla/service'
import { buildSourcesApp } from '../src/app.ts'
import { loadSourcesConfig } from '../src/config.ts'
import { createSecretBox, keyIdOf } from '../src/domain/secret-box.ts'
import { ENCRYPTION_KEY, errorCode, PG_URL, RESOLVE_KEY, resolveAsWorker, sourceUri, startSources, type Harness } from './helpers.ts'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const run = promisify(execFile)

/** The same schema served again with other keys, as after a restart with a new configuration. */
async function restart (t: Parameters<typeof startSources>[0], h: Harness, env: Record<string, string>): Promise<ReturnType<typeof createMemoryBus>> {
  const bus = createMemoryBus()
  const app = await buildSourcesApp(loadSourcesConfig({ SOURCES_DB_SCHEMA: h.schema, LOG_LEVEL: 'fatal', KALLA_RESOLVE_KEY: RESOLVE_KEY, STORAGE_DIR: h.storageDir, ...env }), { bus, database: h.database })
  t.teardown(async () => {
    await app.close()
    await bus.close()
  })
  return bus
}

async function reencrypt (schema: string, env: Record<string, string>): Promise<{ code: number, stdout: string, stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['services/sources/src/reencrypt.ts'], { cwd: root, env: { ...process.env, DATABASE_URL: PG_URL, SOURCES_DB_SCHEMA: schema, ...env } })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number, stdout: string, stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

const sealedOf = async (h: Harness): Promise<Record<string, string>> =>
  Object.fromEntries((await sql<{ alias: string, uri_sealed: string }>`SELECT alias, uri_sealed FROM ${sql.id(h.schema, 'sources')}`.execute(h.database.db)).rows.map((r) => [r.alias, r.uri_sealed]))

t.test('after a key change the previous key still opens every URI, and reencrypt moves them all to the new key', async (t) => {
  const h = await startSources(t)
  const { uri, password } = sourceUri('public.nowhere')
  await h.bus.request(RegisterSource, { alias: 'erp', type: 'postgres', uri })
  await h.bus.request(RegisterSource, { alias: 'ledger', type: 'bigquery', uri: `bigquery://project/ds?table=ledger&credentials=${Buffer.from(JSON.stringify({ client_email: 'reader@project.iam.gserviceaccount.com', private_key: 'not-a-real-key' })).toString('base64')}` })
  const oldId = keyIdOf(Buffer.from(ENCRYPTION_KEY, 'hex'))
  t.ok(Object.values(await sealedOf(h)).every((v) => v.startsWith(`v2.${oldId}.`)), 'each sealed value names the key it was sealed with')

  const next = randomBytes(32).toString('hex')
  const rotated = await restart(t, h, { KALLA_ENCRYPTION_KEY: next, KALLA_ENCRYPTION_KEYS_PREVIOUS: `${randomBytes(32).toString('hex')}, ${ENCRYPTION_KEY}` })
  t.equal((await resolveAsWorker(rotated, 'erp')).uri, uri, 'the previous key opens the URI')
  t.same((await rotated.request(ListSources, {})).sources.map((s) => s.uri.startsWith('***')), [false, false], 'every source is still shown')

  const done = await reencrypt(h.schema, { KALLA_ENCRYPTION_KEY: next, KALLA_ENCRYPTION_KEYS_PREVIOUS: ENCRYPTION_KEY })
  t.equal(done.code, 0, done.stderr)
  t.match(done.stdout, /re-encrypted 2 source\(s\) with key [\w-]+; 0 already current/)
  t.notMatch(done.stdout + done.stderr, password, 'the command prints no credential')
  const nextId = keyIdOf(Buffer.from(next, 'hex'))
  const sealed = await sealedOf(h)
  t.ok(Object.values(sealed).every((v) => v.startsWith(`v2.${nextId}.`)), 'every URI is sealed with the new key')
  t.notMatch(JSON.stringify(sealed), password)

  const again = await reencrypt(h.schema, { KALLA_ENCRYPTION_KEY: next })
  t.match(again.stdout, /re-encrypted 0 source\(s\) with key [\w-]+; 2 already current/, 'a second run changes nothing, without the previous key')
  const retired = await restart(t, h, { KALLA_ENCRYPTION_KEY: next })
  t.equal((await resolveAsWorker(retired, 'erp')).uri, uri, 'the previous key can be retired')
})

t.test('reencrypt names the sources no configured key opens and exits 1, changing nothing', async (t) => {
  const h = await startSources(t)
  await h.bus.request(RegisterSource, { alias: 'erp', type: 'postgres', uri: sourceUri('public.nowhere').uri })
  const before = await sealedOf(h)
  const done = await reencrypt(h.schema, { KALLA_ENCRYPTION_KEY: randomBytes(32).toString('hex') })
  t.equal(done.code, 1)
  t.match(done.stderr, /1 source\(s\) open with none of the configured keys: erp/)
  t.same(await sealedOf(h), before)
  const bad = await reencrypt(h.schema, { KALLA_ENCRYPTION_KEY: ENCRYPTION_KEY, KALLA_ENCRYPTION_KEYS_PREVIOUS: 'short' })
  t.equal(bad.code, 2)
  t.match(bad.stderr, /KALLA_ENCRYPTION_KEYS_PREVIOUS \(key 1\): must be 32 bytes/)
  t.notMatch(bad.stderr, ENCRYPTION_KEY, 'no key is printed')
})

t.test('values sealed before key ids existed (v1) open with any configured key and are moved by reencrypt', async (t) => {
  const h = await startSources(t)
  const { uri } = sourceUri('public.nowhere')
  await h.bus.request(RegisterSource, { alias: 'erp', type: 'postgres', uri })
  const [, , ...rest] = ((await sealedOf(h)).erp ?? '').split('.')
  await sql`UPDATE ${sql.id(h.schema, 'sources')} SET uri_sealed = ${['v1', ...rest].join('.')}`.execute(h.database.db)
  t.equal((await resolveAsWorker(h.bus, 'erp')).uri, uri, 'a v1 value opens')
  const done = await reencrypt(h.schema, { KALLA_ENCRYPTION_KEY: ENCRYPTION_KEY })
  t.match(done.stdout, /re-encrypted 1 source/)
  t.match((await sealedOf(h)).erp, /^v2\./)
})

t.test('ResolveSource answers only a fresh request proven with KALLA_RESOLVE_KEY, sealed to that request', async (t) => {
  const h = await startSources(t)
  const { uri, password } = sourceUri('public.nowhere')
  await h.bus.request(RegisterSource, { alias: 'erp', type: 'postgres', uri })
  const mine = sourceAccess(Buffer.from(RESOLVE_KEY, 'hex'))
  const { request, open } = mine.ask('erp')
  const answer = await h.bus.request(ResolveSource, request)
  t.notMatch(JSON.stringify(answer), password, 'the answer holds the URI only sealed')
  t.equal(open(answer).uri, uri)
  t.throws(() => mine.ask('erp').open(answer), { code: 'SOURCE_ACCESS_UNSEALED' }, 'an answer opens for its own request only')

  const other = sourceAccess(randomBytes(32)).ask('erp').request
  t.equal(await errorCode(h.bus.request(ResolveSource, other)), 'SOURCES_RESOLVE_FORBIDDEN', 'a request proven with another key is refused')
  t.equal(await errorCode(h.bus.request(ResolveSource, { ...request, alias: 'other' })), 'SOURCES_RESOLVE_FORBIDDEN', 'a proof covers its alias only')
  t.equal(await errorCode(h.bus.request(ResolveSource, { ...request, proof: randomBytes(32).toString('base64url') })), 'SOURCES_RESOLVE_FORBIDDEN')
  t.notOk(mine.verify(request, new Date(Date.now() + 6 * 60_000)), 'a request older than five minutes is refused')
  t.ok(mine.verify(request))
})

t.test('a sealed value opens with the key it names only; the box refuses keys of the wrong size', async (t) => {
  const a = randomBytes(32)
  const b = randomBytes(32)
  const sealed = createSecretBox(a).seal('postgres://u:pw@h/db', 'ctx')
  t.equal(createSecretBox(b, [a]).open(sealed, 'ctx'), 'postgres://u:pw@h/db')
  t.notOk(createSecretBox(b, [a]).isCurrent(sealed))
  t.ok(createSecretBox(a, [b]).isCurrent(sealed))
  t.throws(() => createSecretBox(b).open(sealed, 'ctx'), /sealed with a key that is not configured/)
  t.throws(() => createSecretBox(a, [randomBytes(16)]), { code: 'CONFIG_INVALID' })
})
