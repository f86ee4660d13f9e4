import { sql, type Kysely } from 'kysely'
import { Migrator, type Migration } from 'kysely/migration'

/** Thrown when a schema's migrations fail; the cause is the database error. */
export class MigrationError extends Error {
  readonly code = 'DB_MIGRATION_FAILED'
}

/**
 * Brings one service's Postgres schema up to date. Migrations are named by timestamp and frozen; the
 * bookkeeping tables live in the service's own schema, so services migrate independently and safely in
 * parallel (Kysely takes a lock per schema).
 * @example await migrateSchema(db, 'runs', { '2026-11-27T00-00-create-runs': createRuns })
 */
export async function migrateSchema (db: Kysely<any>, schema: string, migrations: Record<string, Migration>): Promise<string[]> {
  // Kysely looks for its bookkeeping tables by listing every schema's tables; a schema dropped by someone
  // else at that moment fails the listing, so such a failure is worth one more try.
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(db, schema, migrations)
    } catch (error) {
      if (attempt >= 3 || !/schema "[^"]*" does not exist/.test(String((error as Error).cause ?? error))) throw error
    }
  }
}

async function migrateOnce (db: Kysely<any>, schema: string, migrations: Record<string, Migration>): Promise<string[]> {
  await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db)
  const migrator = new Migrator({
    db: db.withSchema(schema),
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: schema
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName
    throw new MigrationError(`Migrating the ${schema} schema failed${failed !== undefined ? ` at ${failed}` : ''}: ${(error as Error).message}`, { cause: error })
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
