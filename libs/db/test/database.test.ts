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
