import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import type { Test } from 'tap'
import { migrateSchema, openDatabase } from '@kalla/db'
import { TEST_DATABASE_URL } from '@kalla/testing'
import { migrations } from '../src/migrations/index.ts'
import type { AuthDb } from '../src/keys-repository.ts'

/** A migrated auth schema with a random name in the test Postgres, dropped after `t`. */
export async function authDb (t: Test): Promise<AuthDb> {
  const database = await openDatabase({ url: TEST_DATABASE_URL, poolSize: 2 })
  const schema = `auth_test_${randomBytes(5).toString('hex')}`
  await migrateSchema(database.db, schema, migrations)
  t.teardown(async () => {
    await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(database.db)
    await database.close()
  })
  return database.db.withSchema(schema) as AuthDb
}
