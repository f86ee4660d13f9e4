import { freePort } from '@kalla/testing'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import pg from 'pg'
import { BusError, createMemoryBus, type MemoryBus } from '@kalla/bus'
import { migrateSchema, openDatabase, type Database } from '@kalla/db'
import { ListRecipes, ResolveSource, type StoredRecipe } from '@kalla/proto'
import { sourceAccess } from '@kalla/service'
import { buildSourcesApp } from '../src/app.ts'
import { loadSourcesConfig, type SourcesConfig } from '../src/config.ts'
import { migrations } from '../src/db/migrations/index.ts'

export const PG_URL = process.env.KALLA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
export const ENCRYPTION_KEY = randomBytes(32).toString('hex')
/** The key the matcher and recipes services would share with this service for ResolveSource. */
export const RESOLVE_KEY = randomBytes(32).toString('hex')

/** Resolves a registered source as a worker holding KALLA_RESOLVE_KEY does. */
export async function resolveAsWorker (bus: MemoryBus, alias: string, key = RESOLVE_KEY): Promise<{ alias: string, type: string, uri: string }> {
  const { request, open } = sourceAccess(Buffer.from(key, 'hex')).ask(alias)
  return open(await bus.request(ResolveSource, request))
}

/** `recipes`: the stand-in for the recipes service: the saved recipes ListRecipes answers, or (`down`) a failure. */
export interface Harness { app: FastifyInstance, bus: MemoryBus, database: Database, config: SourcesConfig, schema: string, storageDir: string, recipes: { saved: StoredRecipe[], down: boolean } }

/** The sources service on a memory bus, with its own Postgres schema and storage directory, removed at teardown. */
export async function startSources (t: Test, env: Record<string, string> = {}): Promise<Harness> {
  const schema = `sources_test_${randomBytes(5).toString('hex')}`
  const storageDir = await mkdtemp(join(tmpdir(), 'kalla-sources-objects-'))
  const bus = createMemoryBus()
  const database = await openDatabase({ url: PG_URL })
  await migrate(database, schema)
  const config = loadSourcesConfig({ SOURCES_DB_SCHEMA: schema, LOG_LEVEL: 'fatal', KALLA_ENCRYPTION_KEY: ENCRYPTION_KEY, KALLA_RESOLVE_KEY: RESOLVE_KEY, STORAGE_DIR: storageDir, ...env })
  const app = await buildSourcesApp(config, { bus, database })
  const recipes = { saved: [] as StoredRecipe[], down: false }
  await bus.serve(ListRecipes, () => {
    if (recipes.down) throw new Error('the recipes database is down')
    return { recipes: recipes.saved }
  }, { queue: 'recipes' })
  t.teardown(async () => {
    await app.close()
    await sql`DROP SCHEMA ${sql.id(schema)} CASCADE`.execute(database.db)
    await database.close()
    await bus.close()
    await rm(storageDir, { recursive: true, force: true })
  })
  return { app, bus, database, config, schema, storageDir, recipes }
}

// Kysely's migrator introspects every schema's tables, so a test file dropping its schema at the same
// moment can fail another file's migration with "schema ... does not exist"; trying again is enough.
async function migrate (database: Database, schema: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await migrateSchema(database.db, schema, migrations)
      return
    } catch (error) {
      if (attempt === 5 || !/does not exist/.test((error as Error).message)) throw error
    }
  }
}

/** A real table in a random schema of the local Postgres: the data a registered source points at. */
export async function createInvoicesTable (t: Test): Promise<{ schema: string }> {
  const schema = `sources_data_${randomBytes(5).toString('hex')}`
  await adminQuery(`CREATE SCHEMA ${schema};
    CREATE TABLE ${schema}.invoices (invoice_id text PRIMARY KEY, amount numeric(12,2) NOT NULL, total numeric, issued date, paid boolean, created_at timestamptz, lines integer);
    INSERT INTO ${schema}.invoices VALUES
      ('INV-1', 100.50, 100.5, '2024-01-31', true, '2024-01-31 10:00:00+00', 2),
      ('INV-2', 250.00, 250.125, '2024-02-01', false, '2024-02-01 11:30:00.25+00', 1),
      ('INV-3', 99.99, 99.99, '2024-02-15', true, NULL, 3),
      ('INV-4', 1000.01, 1000.01, '2024-03-01', false, '2024-03-01 00:00:00+00', 5)`)
  t.teardown(async () => { await adminQuery(`DROP SCHEMA ${schema} CASCADE`) })
  return { schema }
}

async function adminQuery (text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

/** A URI to the test database carrying a password (local trust authentication ignores it), for `?table=`. */
export function sourceUri (table: string, port?: number): { uri: string, password: string } {
  const url = new URL(PG_URL)
  if (url.password === '') url.password = 'Sup3r-Secret-pw'
  if (port !== undefined) url.port = String(port)
  url.searchParams.set('table', table)
  return { uri: url.toString(), password: decodeURIComponent(url.password) }
}

/** A loopback port nothing listens on. */
export const closedPort = freePort

/** The code a failed request carries, or 'none' when it succeeded. */
export async function errorCode (promise: Promise<unknown>): Promise<string> {
  return await promise.then(() => 'none', (e: unknown) => e instanceof BusError ? e.code : String(e))
}

/** Starts the app's HTTP server on a free loopback port and returns its base URL. */
export async function listen (app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (typeof address !== 'object' || address === null) throw new Error('the server has no address')
  return `http://127.0.0.1:${address.port}`
}

/** POST /uploads as a browser would: multipart form data with the file in the field `file`. */
export async function postFile (base: string, filename: string, bytes: Uint8Array | string, field = 'file'): Promise<{ status: number, body: any }> {
  const form = new FormData()
  form.append(field, new Blob([bytes]), filename)
  const response = await fetch(`${base}/uploads`, { method: 'POST', body: form })
  return { status: response.status, body: await response.json() }
}
