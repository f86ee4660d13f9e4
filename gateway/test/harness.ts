import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import { sql } from 'kysely'
import type { Test } from 'tap'
import type { AuthDb } from '@kalla/auth'
import { migrations } from '@kalla/auth/migrations'
import { migrateSchema, openDatabase, type Database } from '@kalla/db'
import { createMemoryBus, silentLogger, type MemoryBus } from '@kalla/bus'
import { GetRun, STREAMS, type Run } from '@kalla/proto'
import { CodedError } from '@kalla/service'
import { createLocalStorage, type Storage } from '@kalla/storage'
import { listen, TEST_ADMIN_KEY, TEST_DATABASE_URL } from '@kalla/testing'
import { gatewayPlugin, loadGatewayConfig } from '../src/app.ts'

export interface GatewayHarness { bus: MemoryBus, storage: Storage, database: Database, url: string, dir: string, logs: string[], keysDb: AuthDb }

/**
 * The gateway alone on a fresh in-process bus and local storage, its keys in a random Postgres schema,
 * TEST_ADMIN_KEY as its admin key (`keysDb` is that schema, as `kalla keys` sees it), listening on a free port; gone after `t`.
 */
export async function startGateway (t: Test, env: Record<string, string> = {}, options: { logLevel?: string } = {}): Promise<GatewayHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'kalla-gateway-'))
  const bus = createMemoryBus({ logger: silentLogger })
  await bus.ensureStreams(STREAMS)
  const storage = createLocalStorage({ root: join(dir, 'storage') })
  const database = await openDatabase({ url: TEST_DATABASE_URL, poolSize: 2 })
  const schema = `auth_test_${randomBytes(5).toString('hex')}`
  await migrateSchema(database.db, schema, migrations)
  const logs: string[] = []
  const app = Fastify({ logger: { level: options.logLevel ?? 'warn', stream: { write: (line: string) => { logs.push(line) } } } })
  const config = loadGatewayConfig({ STORAGE_DIR: join(dir, 'storage'), GATEWAY_WORK_DIR: dir, GATEWAY_REQUEST_TIMEOUT_MS: '2000', GATEWAY_DB_SCHEMA: schema, KALLA_ADMIN_KEY: TEST_ADMIN_KEY, ...env })
  await app.register(gatewayPlugin, { bus, storage, database, config })
  const url = await listen(app)
  t.teardown(async () => {
    await app.close()
    await bus.close()
    await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(database.db)
    await database.close()
    await rm(dir, { recursive: true, force: true })
  })
  return { bus, storage, database, url, dir, logs, keysDb: database.db.withSchema(schema) as AuthDb }
}

/** Stands in for the runs service's GetRun, answering from `runs`; `during` runs before an answer leaves. */
export async function serveGetRun (bus: MemoryBus, runs: Map<string, Run>, during?: (runId: string) => Promise<void>): Promise<void> {
  await bus.serve(GetRun, async ({ run_id: runId }) => {
    await during?.(runId)
    const found = runs.get(runId)
    if (found === undefined) throw new CodedError('RUNS_RUN_NOT_FOUND', `There is no run "${runId}".`, { statusCode: 404 })
    return found
  }, { queue: 'runs' })
}
