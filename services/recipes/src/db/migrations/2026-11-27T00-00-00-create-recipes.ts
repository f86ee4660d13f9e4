import { sql, type Kysely } from 'kysely'

// Frozen: never edit a migration that has shipped; add a new one.
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('recipes')
    .addColumn('recipe_id', 'text', (c) => c.primaryKey())
    .addColumn('recipe', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('recipes_name').on('recipes').expression(sql`(recipe->>'name')`).execute()
}
