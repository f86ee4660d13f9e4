import { randomBytes } from 'node:crypto'
import t, { type Test } from 'tap'
import { sql, type Kysely } from 'kysely'
import type { Migration } from 'kysely/migration'
import { migrateSchema, openDatabase, type Database } from '../src/index.ts'

const PG_URL = process.env.KALLA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

const migrations: Record<string, Migration> = {
  '2026-11-27T00-00-00-create-things': {
    up: async (db: Kysely<any>) => {
      await db.schema.createTable('things').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('amount', sql`numeric(12,2)`).execute()
    }
  }
}

async function exercise (t: Test, database: Database, schema: string): Promise<void> {
  await database.ping()
  t.same(await migrateSchema(database.db, schema, migrations), ['2026-11-27T00-00-00-create-things'])
  t.same(await migrateSchema(database.db, schema, migrations), [], 'a second run applies nothing')
  const things = database.db.withSchema(schema)
  await things.insertInto('things').values({ id: 'a', amount: '100.02' }).execute()
  const row = await things.selectFrom('things').selectAll().executeTakeFirstOrThrow()
  t.same(row, { id: 'a', amount: '100.02' }, 'numeric comes back exact, as text')
}

t.test('Postgres: migrations run once per schema and data round-trips', async (t) => {
  const database = await openDatabase({ url: PG_URL })
  const schema = `kalla_db_test_${randomBytes(5).toString('hex')}`
  t.teardown(async () => { await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(database.db); await database.close() })
  t.equal(database.kind, 'postgres')
  await exercise(t, database, schema)
})

t.test('embedded PGlite behaves the same with no server at all', async (t) => {
  const database = await openDatabase({})
  t.teardown(() => database.close())
  t.equal(database.kind, 'pglite')
  await exercise(t, database, 'things_service')
})

t.test('a failing migration names itself and applies nothing after it', async (t) => {
  const database = await openDatabase({})
  t.teardown(() => database.close())
  const broken = { ...migrations, '2026-11-27T00-00-01-broken': { up: async (db: Kysely<any>) => { await sql`SELEC 1`.execute(db) } } }
  await t.rejects(migrateSchema(database.db, 'svc', broken), { code: 'DB_MIGRATION_FAILED', message: /at 2026-11-27T00-00-01-broken/ })
})

t.test('an unreachable Postgres fails the readiness probe', async (t) => {
  const database = await openDatabase({ url: 'postgres://postgres@127.0.0.1:1/postgres' })
  t.teardown(() => database.close())
  await t.rejects(database.ping())
})

t.test('a connection lost in the middle of a transaction, between its queries, fails the transaction and leaves the process and the pool working', async (t) => {
  const application = `kalla-lost-${randomBytes(4).toString('hex')}`
  const url = new URL(PG_URL)
  url.searchParams.set('application_name', application)
  const database = await openDatabase({ url: url.toString(), poolSize: 2 })
  t.teardown(() => database.close())
  const admin = await openDatabase({ url: PG_URL })
  t.teardown(() => admin.close())
  // The server ending a connection is what a Postgres restart or failover does to every client checked out
  // of the pool, also to one that holds a transaction open between two queries (a row locked, then updated).
  let terminated = false
  const transaction = database.db.transaction().execute(async (trx) => {
    await sql`SELECT 1`.execute(trx)
    await sql`SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity WHERE application_name = ${application} AND state = 'idle in transaction'`.execute(admin.db)
    terminated = true
    await new Promise((resolve) => setTimeout(resolve, 500))
    await sql`SELECT 2`.execute(trx)
  })
  const outcome = await transaction.then(() => 'committed', (error: unknown) => String(error))
  t.ok(terminated, 'the connection was ended while the transaction waited')
  t.match(outcome, /terminat|Connection|not queryable/i, 'the transaction fails')
  await database.ping()
  t.pass('the next query works on a new connection, and the process is still here')
})
