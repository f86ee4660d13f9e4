import type { Kysely } from 'kysely'

// Frozen: never edit a migration that has shipped; add a new one.
// Who uploaded each file, so a caller can list their own recent uploads; older rows have no owner.
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('uploads').addColumn('uploaded_by', 'text').execute()
  await db.schema.createIndex('uploads_uploaded_by_created_at').on('uploads').columns(['uploaded_by', 'created_at']).execute()
}
