import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import type { Test } from 'tap'
import { migrateSchema, openDatabase, type Database } from '@kalla/db'
import { TEST_DATABASE_URL } from '@kalla/testing'
import { migrations } from '../src/migrations/index.ts'
import type { AuditDb } from '../src/log.ts'
import type { NewAuditEntry } from '../src/entry.ts'

/** A migrated audit schema with a random name in the test Postgres, dropped after `t`. */
export async function auditDb (t: Test, poolSize = 2): Promise<{ db: AuditDb, schema: string, database: Database }> {
  const database = await openDatabase({ url: TEST_DATABASE_URL, poolSize })
  const schema = `audit_test_${randomBytes(5).toString('hex')}`
  await migrateSchema(database.db, schema, migrations)
  t.teardown(async () => {
    await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(database.db)
    await database.close()
  })
  return { db: database.db.withSchema(schema) as AuditDb, schema, database }
}

/** An entry as the gateway would record it, with `overrides`. */
export function sampleEntry (overrides: Partial<NewAuditEntry> = {}): NewAuditEntry {
  return {
    actor: { kind: 'api-key', name: 'nightly import', id: '0123456789abcdef', role: 'operator' },
    channel: 'graphql',
    operation: 'startRun',
    targets: { recipeId: 'invoices', runId: 'r-1' },
    args: { input: { recipeId: 'invoices' } },
    outcome: 'ok',
    errorCode: null,
    requestId: 'req-1',
    ...overrides
  }
}
