import type { Kysely } from 'kysely'

// Frozen: never edit a migration that has shipped; add a new one.
// event_seq was created for event ordering but never written; runs are ordered by updated_at.
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('runs').dropColumn('event_seq').execute()
}
