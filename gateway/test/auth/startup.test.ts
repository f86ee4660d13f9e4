import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import t from 'tap'
import { openDatabase } from '@kalla/db'
import { freePort, graphql, startIdentityProvider, startNatsServer, TEST_DATABASE_URL, waitFor } from '@kalla/testing'
import { missingAuthentication } from '../../src/auth/startup-check.ts'
import { loadGatewayConfig } from '../../src/config.ts'

// The scaled gateway process (gateway/src/server.ts) needs at least one way to authenticate.
const SERVER = join(import.meta.dirname, '../../src/server.ts')
const idp = await startIdentityProvider()
t.teardown(idp.stop)
const nats = await startNatsServer()
t.teardown(nats.stop)
const dir = await mkdtemp(join(tmpdir(), 'kalla-gateway-start-'))
const schema = `auth_start_${randomBytes(5).toString('hex')}`
t.teardown(async () => {
  const database = await openDatabase({ url: TEST_DATABASE_URL, poolSize: 1 })
  await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(database.db)
  await database.close()
  await rm(dir, { recursive: true, force: true })
})
const JWT = { KALLA_JWT_JWKS_URL: idp.jwksUrl, KALLA_JWT_ISSUER: idp.issuer, KALLA_JWT_AUDIENCE: idp.audience }

function gateway (env: Record<string, string>) {
  // Only what the test gives: no KALLA_* of the shell running the tests leaks in.
  const child = spawn(process.execPath, [SERVER], {
    env: { PATH: process.env.PATH ?? '', NATS_URL: nats.url, DATABASE_URL: TEST_DATABASE_URL, GATEWAY_DB_SCHEMA: schema, MIGRATE_ON_START: 'true', STORAGE_DIR: join(dir, 'storage'), GATEWAY_WORK_DIR: dir, LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (c: Buffer) => { output += c.toString() })
  child.stderr.on('data', (c: Buffer) => { output += c.toString() })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { resolve(code) }))
  return { child, exited, output: () => output }
}

t.test('the gateway refuses to start with neither an admin key nor an OIDC provider, or with half a provider', async (t) => {
  for (const [name, env] of [['nothing', {}], ['no audience', { KALLA_JWT_JWKS_URL: idp.jwksUrl, KALLA_JWT_ISSUER: idp.issuer }]] as const) {
    const started = gateway({ PORT: String(await freePort()), ...env })
    t.equal(await started.exited, 2, name)
    t.match(started.output(), name === 'nothing' ? /a way to authenticate is required: KALLA_ADMIN_KEY .* or an OIDC provider/ : /go together/)
  }
})

t.test('an OIDC provider alone is a way in: the gateway starts and takes its tokens', async (t) => {
  const port = await freePort()
  const started = gateway({ PORT: String(port), ...JWT })
  t.teardown(async () => { started.child.kill('SIGTERM'); await started.exited })
  const url = `http://127.0.0.1:${port}`
  await waitFor(async () => {
    if (started.child.exitCode !== null) throw new Error(`the gateway exited: ${started.output()}`)
    return (await fetch(`${url}/healthz`).catch(() => undefined))?.status === 200 ? true : undefined
  }, 30_000, 'the gateway to listen')
  const admin = await idp.sign({ sub: 'ops-1', kalla_role: 'admin' })
  t.same((await graphql(url, '{ apiKeys { id } }', {}, { key: admin })).data, { apiKeys: [] }, 'an admin token may manage keys, so no admin key is needed')
  t.equal((await graphql(url, '{ __typename }', {}, { key: null })).status, 401, 'nothing else gets in')
})

t.test('missingAuthentication accepts an admin key, an admin key file or a whole provider', async (t) => {
  const config = (env: Record<string, string>) => loadGatewayConfig({ STORAGE_DIR: dir, ...env })
  t.equal(missingAuthentication(config({ KALLA_ADMIN_KEY: 'k'.repeat(32) })), undefined)
  t.equal(missingAuthentication(config({ KALLA_ADMIN_KEY_FILE: '/run/secrets/kalla-admin-key' })), undefined)
  t.equal(missingAuthentication(config(JWT)), undefined)
  t.match(missingAuthentication(config({ KALLA_JWT_ISSUER: idp.issuer })), /go together/)
  t.match(missingAuthentication(config({})), /a way to authenticate is required/)
})
