import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import t, { type Test } from 'tap'
import { migrateSchema, openDatabase } from '@kalla/db'
import { appendEntry, listEntries, type AuditDb } from '../src/log.ts'
import { migrations } from '../src/migrations/index.ts'
import { verifyChain } from '../src/verify.ts'
import { auditDb, sampleEntry } from './fixtures.ts'

t.test('each entry is hashed over the previous hash and its canonical JSON, and the chain verifies', async (t) => {
  const { db } = await auditDb(t)
  const at = new Date('2026-12-01T10:00:00.000Z')
  const first = await appendEntry(db, sampleEntry(), at)
  // Written out by hand, keys sorted, so the hash is checked against an independent computation.
  const json = '{"actor":{"id":"0123456789abcdef","kind":"api-key","name":"nightly import","role":"operator"},"args":{"input":{"recipeId":"invoices"}},"at":"2026-12-01T10:00:00.000Z",' +
    '"channel":"graphql","errorCode":null,"operation":"startRun","outcome":"ok","requestId":"req-1","seq":"1","targets":{"recipeId":"invoices","runId":"r-1"}}'
  t.equal(first.hash, createHash('sha256').update(Buffer.alloc(32)).update(json).digest('hex'))
  t.equal(first.seq, '1')
  const second = await appendEntry(db, sampleEntry({ operation: 'cancelRun', outcome: 'error', errorCode: 'RUNS_NOT_CANCELLABLE' }))
  t.equal(second.prevHash, first.hash, 'the second entry points at the first')
  t.same(await verifyChain(db), { valid: true, entries: 2, firstBroken: null })
})

t.test('the database refuses to change or remove entries, to move the head by hand, and to insert out of turn', async (t) => {
  const { db, schema } = await auditDb(t)
  const entry = await appendEntry(db, sampleEntry())
  const table = (name: string) => sql.id(schema, name)
  const refused = async (label: string, run: () => Promise<unknown>) => {
    await t.rejects(run(), /append-only|does not continue the chain/, label)
  }
  await refused('UPDATE', async () => await sql`UPDATE ${table('entries')} SET actor = 'someone else'`.execute(db))
  await refused('DELETE', async () => await db.deleteFrom('entries').execute())
  await refused('TRUNCATE', async () => await sql`TRUNCATE ${table('entries')}`.execute(db))
  await refused('head UPDATE', async () => await sql`UPDATE ${table('head')} SET seq = 0`.execute(db))
  await refused('head DELETE', async () => await db.deleteFrom('head').execute())
  await refused('an insert that skips a number', async () => await db.insertInto('entries').values({
    seq: '5', at: new Date(), request_id: null, actor_kind: 'cli', actor: 'x', actor_id: null, role: null, channel: 'cli', operation: 'x', targets: '{}', args: '{}', outcome: 'ok', error_code: null, prev_hash: Buffer.from(entry.hash, 'hex'), hash: Buffer.alloc(32)
  }).execute())
  t.same(await verifyChain(db), { valid: true, entries: 1, firstBroken: null }, 'nothing changed')
})

type Statement = (entries: ReturnType<typeof sql.id>) => ReturnType<typeof sql> | Array<ReturnType<typeof sql>>

interface Chain { db: AuditDb, tamper: (statement: Statement) => Promise<void> }

/** `n` entries, and a way to run a statement on them with the triggers off, as a superuser can. */
async function chainOf (t: Test, n: number): Promise<Chain> {
  const { db, schema } = await auditDb(t)
  for (let i = 1; i <= n; i++) await appendEntry(db, sampleEntry({ targets: { runId: `r-${i}` } }))
  t.equal((await verifyChain(db)).valid, true, 'the chain is intact before tampering')
  const entries = sql.id(schema, 'entries')
  const tamper = async (statement: Statement): Promise<void> => {
    await db.transaction().execute(async (trx) => {
      await sql`ALTER TABLE ${entries} DISABLE TRIGGER USER`.execute(trx)
      for (const step of [statement(entries)].flat()) await step.execute(trx)
      await sql`ALTER TABLE ${entries} ENABLE TRIGGER USER`.execute(trx)
    })
  }
  return { db, tamper }
}

t.test('verification finds a modified entry', async (t) => {
  const { db, tamper } = await chainOf(t, 5)
  await tamper((entries) => sql`UPDATE ${entries} SET args = '{"input":{"recipeId":"other"}}' WHERE seq = 3`)
  t.match(await verifyChain(db), { valid: false, entries: 2, firstBroken: { seq: '3', reason: /entry 3 was modified/ } })
})

t.test('verification finds a modified outcome, actor or time', async (t) => {
  for (const change of [sql`outcome = 'error'`, sql`actor = 'admin'`, sql`at = at + interval '1 second'`, sql`role = 'admin'`]) {
    const { db, tamper } = await chainOf(t, 3)
    await tamper((entries) => sql`UPDATE ${entries} SET ${change} WHERE seq = 2`)
    t.match(await verifyChain(db), { valid: false, firstBroken: { seq: '2' } })
  }
})

t.test('verification finds a deleted entry', async (t) => {
  const { db, tamper } = await chainOf(t, 5)
  await tamper((entries) => sql`DELETE FROM ${entries} WHERE seq = 2`)
  t.match(await verifyChain(db), { valid: false, entries: 1, firstBroken: { seq: '2', reason: /entry 2 is missing/ } })
})

t.test('verification finds reordered entries', async (t) => {
  const { db, tamper } = await chainOf(t, 5)
  await tamper((entries) => [sql`UPDATE ${entries} SET seq = -seq WHERE seq IN (2, 4)`, sql`UPDATE ${entries} SET seq = CASE seq WHEN -2 THEN 4 ELSE 2 END WHERE seq < 0`])
  t.match(await verifyChain(db), { valid: false, entries: 1, firstBroken: { seq: '2', reason: /does not follow entry 1/ } })
})

t.test('verification finds removed last entries, even with the head row left alone', async (t) => {
  const { db, tamper } = await chainOf(t, 4)
  await tamper((entries) => sql`DELETE FROM ${entries} WHERE seq >= 3`)
  t.match(await verifyChain(db), { valid: false, entries: 2, firstBroken: { seq: '3', reason: /ends at entry 2 but its head names entry 4/ } })
})

t.test('verification reads long chains in batches', async (t) => {
  const { db, tamper } = await chainOf(t, 7)
  t.same(await verifyChain(db, 3), { valid: true, entries: 7, firstBroken: null })
  await tamper((entries) => sql`UPDATE ${entries} SET operation = 'x' WHERE seq = 7`)
  t.match(await verifyChain(db, 3), { valid: false, entries: 6, firstBroken: { seq: '7' } })
})

t.test('concurrent appends over several connections form one chain', async (t) => {
  const { db } = await auditDb(t, 6)
  const appended = await Promise.all(Array.from({ length: 40 }, async (_, i) => await appendEntry(db, sampleEntry({ targets: { runId: `r-${i}` } }))))
  t.same(appended.map((e) => Number(e.seq)).sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i + 1), 'every number once')
  t.same(await verifyChain(db), { valid: true, entries: 40, firstBroken: null })
})

t.test('an entry appended inside a transaction disappears with it, and a failed write is AUDIT_WRITE_FAILED', async (t) => {
  const { db, schema } = await auditDb(t)
  await t.rejects(db.transaction().execute(async (trx) => {
    await appendEntry(trx, sampleEntry())
    throw new Error('the change failed')
  }), /the change failed/)
  t.same(await verifyChain(db), { valid: true, entries: 0, firstBroken: null }, 'nothing was recorded')
  await sql`CREATE FUNCTION ${sql.id(schema, 'fail_insert')}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$`.execute(db)
  await sql`CREATE TRIGGER fail_insert BEFORE INSERT ON ${sql.id(schema, 'entries')} FOR EACH ROW EXECUTE FUNCTION ${sql.id(schema, 'fail_insert')}()`.execute(db)
  await t.rejects(appendEntry(db, sampleEntry()), { code: 'AUDIT_WRITE_FAILED', statusCode: 503 })
})

t.test('secrets in arguments are redacted before they are stored or hashed', async (t) => {
  const { db } = await auditDb(t)
  const args = { input: { alias: 'erp', uri: 'postgres://app:s3cret-pw@db:5432/erp?table=t&sslpassword=other-secret', password: 'p4ss', token: 'tok-value' }, note: 'host=db password=kw-secret dbname=erp', nul: 'a\u0000b', long: 'x'.repeat(5000) }
  await appendEntry(db, sampleEntry({ operation: 'registerSource', args }))
  const stored = JSON.stringify(await db.selectFrom('entries').selectAll().execute())
  for (const secret of ['s3cret-pw', 'other-secret', 'p4ss', 'tok-value', 'kw-secret']) t.notOk(stored.includes(secret), `${secret} is not stored`)
  const [entry] = await listEntries(db)
  t.match(entry?.args, { input: { alias: 'erp', uri: 'postgres://app:***@db:5432/erp?table=t&sslpassword=***', password: '***', token: '***' }, note: 'host=db password=*** dbname=erp', nul: 'a\uFFFDb' })
  t.ok(String(entry?.args.long).startsWith('x'.repeat(4096) + '… (904 more characters)'), 'a long string is cut')
  t.equal((await verifyChain(db)).valid, true)
})

t.test('the log lists entries newest first, filtered by operation, actor, time and outcome', async (t) => {
  const { db } = await auditDb(t)
  const alice = { kind: 'jwt', name: 'alice', id: 'a1', role: 'admin' }
  await appendEntry(db, sampleEntry({ actor: alice, operation: 'deleteRecipe' }), new Date('2026-12-01T10:00:00Z'))
  await appendEntry(db, sampleEntry({ operation: 'startRun', outcome: 'error', errorCode: 'RUNS_RECIPE_NOT_FOUND' }), new Date('2026-12-01T11:00:00Z'))
  await appendEntry(db, sampleEntry({ actor: alice, operation: 'startRun' }), new Date('2026-12-01T12:00:00Z'))
  const seqs = async (filter: Parameters<typeof listEntries>[1], limit?: number, offset?: number) => (await listEntries(db, filter, limit, offset)).map((e) => e.seq)
  t.same(await seqs({}), ['3', '2', '1'])
  t.same(await seqs({ operation: 'startRun' }), ['3', '2'])
  t.same(await seqs({ actor: 'alice' }), ['3', '1'])
  t.same(await seqs({ actor: '0123456789abcdef' }), ['2'], 'by key id too')
  t.same(await seqs({ since: new Date('2026-12-01T11:00:00Z') }), ['3', '2'])
  t.same(await seqs({ until: new Date('2026-12-01T11:00:00Z') }), ['1'])
  t.same(await seqs({ outcome: 'error' }), ['2'])
  t.same(await seqs({}, 1, 1), ['2'])
  await t.rejects(listEntries(db, {}, 0), { code: 'AUDIT_QUERY_INVALID' })
  await t.rejects(listEntries(db, {}, 501), { code: 'AUDIT_QUERY_INVALID' })
})

t.test('the log works the same on embedded PGlite (single mode without DATABASE_URL)', async (t) => {
  const database = await openDatabase({})
  t.teardown(database.close)
  await migrateSchema(database.db, 'audit', migrations)
  const db = database.db.withSchema('audit') as AuditDb
  await appendEntry(db, sampleEntry())
  await appendEntry(db, sampleEntry({ operation: 'cancelRun' }))
  t.same(await verifyChain(db), { valid: true, entries: 2, firstBroken: null })
  await t.rejects(db.deleteFrom('entries').execute(), /append-only/)
  t.same((await listEntries(db)).map((e) => e.operation), ['cancelRun', 'startRun'])
})

t.test('a gateway role granted only what the README lists may append and read, but not change entries or disable the triggers', async (t) => {
  const { db, schema } = await auditDb(t)
  const role = `kalla_audit_writer_${schema.slice(-10)}`
  const table = (name: string) => sql.id(schema, name)
  await sql`CREATE ROLE ${sql.id(role)} NOLOGIN`.execute(db)
  t.teardown(async () => {
    await sql`DROP OWNED BY ${sql.id(role)}`.execute(db)
    await sql`DROP ROLE IF EXISTS ${sql.id(role)}`.execute(db)
  })
  await sql`GRANT USAGE ON SCHEMA ${sql.id(schema)} TO ${sql.id(role)}`.execute(db)
  await sql`GRANT SELECT, INSERT ON ${table('entries')} TO ${sql.id(role)}`.execute(db)
  await sql`GRANT SELECT, UPDATE ON ${table('head')} TO ${sql.id(role)}`.execute(db)
  const asRole = async <T>(run: (trx: AuditDb) => Promise<T>): Promise<T> => await db.transaction().execute(async (trx) => {
    await sql`SET LOCAL ROLE ${sql.id(role)}`.execute(trx)
    return await run(trx)
  })
  await asRole(async (trx) => await appendEntry(trx, sampleEntry()))
  t.equal((await asRole(async (trx) => await listEntries(trx))).length, 1, 'it appends and reads')
  await t.rejects(asRole(async (trx) => await sql`ALTER TABLE ${table('entries')} DISABLE TRIGGER USER`.execute(trx)), /must be owner/, 'it cannot disable the triggers')
  await t.rejects(asRole(async (trx) => await sql`UPDATE ${table('entries')} SET actor = 'x'`.execute(trx)), /permission denied/, 'nor update entries')
  await t.rejects(asRole(async (trx) => await sql`DELETE FROM ${table('entries')}`.execute(trx)), /permission denied/, 'nor delete them')
  await t.rejects(asRole(async (trx) => await sql`UPDATE ${table('head')} SET seq = 0`.execute(trx)), /append-only/, 'nor move the head')
  t.same(await verifyChain(db), { valid: true, entries: 1, firstBroken: null })
})
