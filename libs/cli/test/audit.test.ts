import { randomBytes } from 'node:crypto'
import { userInfo } from 'node:os'
import { sql } from 'kysely'
import t, { type Test } from 'tap'
import { listEntries, type AuditDb } from '@kalla/audit'
import { openDatabase } from '@kalla/db'
import { capturedOutput, TEST_DATABASE_URL } from '@kalla/testing'
import { runCli } from '../src/cli.ts'

const database = await openDatabase({ url: TEST_DATABASE_URL, poolSize: 1 })
t.teardown(async () => { await database.close() })

/** Fresh key and audit schemas, and `kalla` run against them. */
async function setup (t: Test) {
  const keysSchema = `auth_cli_${randomBytes(5).toString('hex')}`
  const auditSchema = `audit_cli_${randomBytes(5).toString('hex')}`
  t.teardown(async () => {
    for (const schema of [keysSchema, auditSchema]) await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(database.db)
  })
  const kalla = async (...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> => {
    const out = capturedOutput()
    const code = await runCli(args, { ...out, databaseUrl: TEST_DATABASE_URL, keysSchema, auditSchema })
    return { code, ...out.text() }
  }
  const entries = sql.id(auditSchema, 'entries')
  /** Runs statements on the audit entries with their triggers off, as a superuser can. */
  const tamper = async (...statements: Array<ReturnType<typeof sql>>) => {
    await database.db.transaction().execute(async (trx) => {
      await sql`ALTER TABLE ${entries} DISABLE TRIGGER USER`.execute(trx)
      for (const statement of statements) await statement.execute(trx)
      await sql`ALTER TABLE ${entries} ENABLE TRIGGER USER`.execute(trx)
    })
  }
  return { kalla, tamper, entries, auditSchema, auditDb: database.db.withSchema(auditSchema) as AuditDb }
}

/** Four recorded key changes. */
async function fourChanges (kalla: Awaited<ReturnType<typeof setup>>['kalla']): Promise<void> {
  for (const name of ['a', 'b']) {
    const created = await kalla('keys', 'create', name, '--role', 'viewer')
    const id = /Created key ([0-9a-f]{16})/.exec(created.stdout)?.[1] ?? ''
    await kalla('keys', 'revoke', id)
  }
}

t.test('kalla keys records creating and revoking keys in the audit trail, and kalla audit verify finds it intact', async (t) => {
  const { kalla, auditDb, auditSchema } = await setup(t)
  const created = await kalla('keys', 'create', 'nightly import', '--role', 'operator')
  const key = created.stdout.trim().split('\n').at(-1) ?? ''
  const id = /^kalla_([0-9a-f]{16})_/.exec(key)?.[1] ?? ''
  t.equal((await kalla('keys', 'revoke', id)).code, 0)
  t.equal((await kalla('keys', 'revoke', id)).code, 1)
  const actor = { kind: 'cli', name: `kalla cli (${userInfo().username})`, id: userInfo().username, role: null }
  t.match(await listEntries(auditDb), [
    { seq: '3', channel: 'cli', operation: 'revokeApiKey', outcome: 'error', errorCode: 'CLI_KEY_NOT_FOUND', targets: { keyId: id } },
    { seq: '2', channel: 'cli', operation: 'revokeApiKey', outcome: 'ok', targets: { keyId: id }, actor },
    { seq: '1', channel: 'cli', operation: 'createApiKey', outcome: 'ok', targets: { keyId: id }, args: { name: 'nightly import', role: 'operator' }, actor }
  ])
  // The secret is base64url and may itself hold '_': it is everything after the id, not the third '_' part.
  const secret = key.slice(`kalla_${id}_`.length)
  t.ok(secret.length >= 43, 'the key has its whole secret')
  t.notOk(JSON.stringify(await listEntries(auditDb)).includes(secret), 'the key is in no entry')
  t.same(await kalla('audit', 'verify'), { code: 0, stdout: `The audit trail in "${auditSchema}" is intact: 3 entries, every hash recomputed.\n`, stderr: '' })
})

t.test('kalla audit verify reports a modified entry', async (t) => {
  const { kalla, tamper, entries } = await setup(t)
  await fourChanges(kalla)
  await tamper(sql`UPDATE ${entries} SET args = '{"name":"someone else","role":"viewer"}' WHERE seq = 3`)
  t.match(await kalla('audit', 'verify'), { code: 1, stdout: /BROKEN at entry 3: entry 3 was modified.*\n2 entries before it hold/s })
})

t.test('kalla audit verify reports a deleted entry', async (t) => {
  const { kalla, tamper, entries } = await setup(t)
  await fourChanges(kalla)
  await tamper(sql`DELETE FROM ${entries} WHERE seq = 2`)
  t.match(await kalla('audit', 'verify'), { code: 1, stdout: /BROKEN at entry 2: entry 2 is missing/ })
})

t.test('kalla audit verify reports reordered entries', async (t) => {
  const { kalla, tamper, entries } = await setup(t)
  await fourChanges(kalla)
  await tamper(sql`UPDATE ${entries} SET seq = -seq WHERE seq IN (1, 3)`, sql`UPDATE ${entries} SET seq = CASE seq WHEN -1 THEN 3 ELSE 1 END WHERE seq < 0`)
  t.match(await kalla('audit', 'verify'), { code: 1, stdout: /BROKEN at entry 1: entry 1 does not follow entry 0/ })
})

t.test('kalla audit verify reports the last entries removed', async (t) => {
  const { kalla, tamper, entries } = await setup(t)
  await fourChanges(kalla)
  await tamper(sql`DELETE FROM ${entries} WHERE seq = 4`)
  t.match(await kalla('audit', 'verify'), { code: 1, stdout: /BROKEN at entry 4: the chain ends at entry 3 but its head names entry 4/ })
})

t.test('kalla audit verify says when there is no audit trail, and refuses other commands', async (t) => {
  const out = capturedOutput()
  t.equal(await runCli(['audit', 'verify', '--audit-schema', 'no_such_schema_here'], { ...out, databaseUrl: TEST_DATABASE_URL }), 1)
  t.match(out.text().stderr, /no audit trail in schema "no_such_schema_here"/)
  const other = capturedOutput()
  t.equal(await runCli(['audit', 'list'], { ...other, databaseUrl: TEST_DATABASE_URL }), 2)
  t.match(other.text().stderr, /Unknown audit command "list"/)
  const bad = capturedOutput()
  t.equal(await runCli(['audit', 'verify'], bad), 2)
  t.match(bad.text().stderr, /--database-url/)
})
