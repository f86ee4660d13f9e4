import type { Kysely } from 'kysely'

// Frozen: never edit a migration that has shipped; add a new one.
export async function up (db: Kysely<any>): Promise<void> {
  // One row per record and run in which it was unmatched; a record's age is read from its rows.
  await db.schema.createTable('unmatched_sightings')
    .addColumn('recipe_id', 'text', (c) => c.notNull())
    .addColumn('side', 'text', (c) => c.notNull())
    .addColumn('record_key', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('unmatched_sightings_pkey', ['recipe_id', 'side', 'record_key', 'run_id'])
    .execute()
  await db.schema.createIndex('unmatched_sightings_run').on('unmatched_sightings').column('run_id').execute()
}
