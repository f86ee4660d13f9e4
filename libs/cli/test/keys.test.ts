import { randomBytes } from 'node:crypto'
import { PassThrough } from 'node:stream'
import { sql } from 'kysely'
import t from 'tap'
import { createKeyVerifier, type AuthDb } from '@kalla/auth'
import { openDatabase } from '@kalla/db'
import { capturedOutput, TEST_DATABASE_URL } from '@kalla/testing'
import { runCli } from '../src/cli.ts'

const schema = `auth_cli_${randomBytes(5).toString('hex')}`
const database = await openDatabase({ url: TEST_DATABASE_URL, poolSize: 1 })
t.teardown(async () => {
  await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(database.db)
  await database.close()
})

async function kalla (...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  const out = capturedOutput()
  const code = await runCli(args, { ...out, databaseUrl: TEST_DATABASE_URL, keysSchema: schema })
  return { code, ...out.text() }
}

t.test('kalla keys create prints a key once that verifies with its role; list shows it without the secret; revoke ends it', async (t) => {
  const created = await kalla('keys', 'create', 'nightly import', '--role', 'operator')
  t.equal(created.code, 0, created.stderr)
  const key = created.stdout.trim().split('\n').at(-1) ?? ''
  const id = /^kalla_([0-9a-f]{16})_/.exec(key)?.[1] ?? ''
  t.not(id, '', 'the last line is the key')
  const verifier = () => createKeyVerifier({ db: database.db.withSchema(schema) as AuthDb })
  t.same(await verifier().verify(key), { kind: 'api-key', subject: id, name: 'nightly import', role: 'operator' })

  const listed = await kalla('keys', 'list')
  t.match(listed.stdout, new RegExp(`${id}\\s+operator\\s+active .* nightly import`))
  t.notOk(listed.stdout.includes(key), 'the list holds no secret')

  t.equal((await kalla('keys', 'revoke', id)).code, 0)
  t.equal(await verifier().verify(key), undefined, 'a revoked key no longer verifies')
  t.match(await kalla('keys', 'revoke', id), { code: 1, stderr: /no active key/ })
})

t.test('kalla keys refuses a missing role, an unknown role and a missing database', async (t) => {
  t.match(await kalla('keys', 'create', 'x'), { code: 2, stderr: /--role viewer\|operator\|admin/ })
  t.match(await kalla('keys', 'create', 'x', '--role', 'root'), { code: 2 })
  t.match(await kalla('keys', 'rotate', 'x'), { code: 2, stderr: /Unknown keys command/ })
  const stderr = new PassThrough()
  const chunks: Buffer[] = []
  stderr.on('data', (c: Buffer) => chunks.push(c))
  t.equal(await runCli(['keys', 'list'], { stdout: new PassThrough(), stderr }), 2)
  t.match(Buffer.concat(chunks).toString(), /--database-url/)
})
