import type { Kysely } from 'kysely'

// Frozen: never edit a migration that has shipped; add a new one.
// ListRuns pages newest first (created_at desc, run_id desc), optionally for one recipe or one status: each
// index holds that order whole, so a page is read off the index without sorting the table. They subsume
// the first migration's (recipe_id, created_at) and (status) indexes.
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('runs_created').on('runs').columns(['created_at desc', 'run_id desc']).execute()
  await db.schema.createIndex('runs_recipe_created_id').on('runs').columns(['recipe_id', 'created_at desc', 'run_id desc']).execute()
  await db.schema.createIndex('runs_status_created_id').on('runs').columns(['status', 'created_at desc', 'run_id desc']).execute()
  await db.schema.dropIndex('runs_recipe_created').execute()
  await db.schema.dropIndex('runs_status').execute()
}
