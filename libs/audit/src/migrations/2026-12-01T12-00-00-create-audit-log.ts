import { sql, type Kysely } from 'kysely'

// Frozen: never edit a migration that has shipped; add a new one.
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('entries')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('role', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('targets', 'jsonb', (c) => c.notNull())
    .addColumn('args', 'jsonb', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome IN ('ok', 'error')`))
    .addColumn('error_code', 'text')
    .addColumn('prev_hash', 'bytea', (c) => c.notNull())
    .addColumn('hash', 'bytea', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('entries_at').on('entries').column('at').execute()
  await db.schema.createIndex('entries_operation').on('entries').columns(['operation', 'seq']).execute()
  await db.schema.createIndex('entries_actor').on('entries').columns(['actor', 'seq']).execute()
  await db.schema.createTable('head')
    .addColumn('singleton', 'boolean', (c) => c.primaryKey().defaultTo(true).check(sql`singleton`))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'bytea', (c) => c.notNull())
    .execute()

  // Raw SQL below needs the schema by name; the migrator hands over db.withSchema(schema).
  const schema = schemaOf(db)
  const id = (name: string) => sql.id(schema, name)
  await sql`INSERT INTO ${id('head')} (singleton, seq, hash) VALUES (true, 0, ${Buffer.alloc(32)})`.execute(db)
  // Every insert must continue the chain the head names, and moves the head: concurrent appends queue on
  // the head row's lock, so they form one chain, and a row inserted out of turn is refused.
  await sql`CREATE FUNCTION ${id('entries_link')}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last_seq bigint;
  last_hash bytea;
BEGIN
  SELECT seq, hash INTO last_seq, last_hash FROM ${id('head')} FOR UPDATE;
  IF NEW.seq <> last_seq + 1 OR NEW.prev_hash <> last_hash THEN
    RAISE EXCEPTION 'audit entry % does not continue the chain at entry %', NEW.seq, last_seq USING ERRCODE = 'check_violation';
  END IF;
  UPDATE ${id('head')} SET seq = NEW.seq, hash = NEW.hash;
  RETURN NEW;
END $$`.execute(db)
  // Append-only: the head moves only from the insert trigger above (trigger depth 2), nothing else changes.
  await sql`CREATE FUNCTION ${id('refuse_change')}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'head' AND TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only: % on %.% is refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$`.execute(db)
  await sql`CREATE TRIGGER entries_link BEFORE INSERT ON ${id('entries')} FOR EACH ROW EXECUTE FUNCTION ${id('entries_link')}()`.execute(db)
  for (const table of ['entries', 'head']) {
    await sql`CREATE TRIGGER ${sql.id(`${table}_append_only`)} BEFORE UPDATE OR DELETE ON ${id(table)} FOR EACH ROW EXECUTE FUNCTION ${id('refuse_change')}()`.execute(db)
    await sql`CREATE TRIGGER ${sql.id(`${table}_no_truncate`)} BEFORE TRUNCATE ON ${id(table)} FOR EACH STATEMENT EXECUTE FUNCTION ${id('refuse_change')}()`.execute(db)
  }
}

function schemaOf (db: Kysely<any>): string {
  const compiled = db.selectFrom('head').selectAll().compile().sql
  const quoted = /from "((?:[^"]|"")+)"\."head"/.exec(compiled)?.[1]
  return quoted === undefined ? 'public' : quoted.replaceAll('""', '"')
}
