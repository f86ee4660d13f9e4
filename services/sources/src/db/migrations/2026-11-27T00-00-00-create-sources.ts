import { sql, type Kysely } from 'kysely'

// Frozen: never edit a migration that has shipped; add a new one.
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('sources')
    .addColumn('alias', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('uri_sealed', 'text', (c) => c.notNull())
    .addColumn('columns', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  // Aliases become table names in match SQL, where case does not matter.
  await db.schema.createIndex('sources_alias_lower').on('sources').unique().expression(sql`lower(alias)`).execute()

  await db.schema.createTable('uploads')
    .addColumn('upload_id', 'text', (c) => c.primaryKey())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('columns', 'jsonb', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('uploads_expires_at').on('uploads').column('expires_at').execute()
}
