import { randomBytes } from 'node:crypto'
import type { Test } from 'tap'
import { sql } from 'kysely'
import { createMemoryBus, type MemoryBus } from '@kalla/bus'
import { openDatabase } from '@kalla/db'
import { GetRecipe, GetSource, GetUpload, MATCHER_CONSUMER, MatchJobs, STREAMS, type Job, type Recipe } from '@kalla/proto'
import { CodedError } from '@kalla/service'
import { buildRunsApp } from '../src/app.ts'
import { loadRunsConfig } from '../src/config.ts'

const PG_URL = process.env.KALLA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/** The recipe the runs service's stand-in recipes service knows: invoices from Postgres, payments from an upload. */
export const RECIPE: Recipe = {
  recipe_id: 'inv-pay',
  name: 'Invoices and payments',
  match_sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON i.invoice_id = p.reference_number',
  sources: {
    left: { alias: 'invoices', type: 'postgres', uri: 'source:erp', primary_key: ['invoice_id'] },
    right: { alias: 'payments', type: 'file', schema: ['payment_id', 'reference_number'], primary_key: ['payment_id'] }
  }
}

export const now = (): string => new Date().toISOString()

/**
 * The runs service on a memory bus and a Postgres schema of its own, with stand-ins for the recipes and
 * sources services and a queue that catches the jobs it dispatches; all removed when the test ends.
 */
export async function startRunsService (t: Test): Promise<{ bus: MemoryBus, jobs: Job[], count: (table: string) => Promise<number> }> {
  const schema = `runs_test_${randomBytes(5).toString('hex')}`
  const bus = createMemoryBus()
  const database = await openDatabase({ url: PG_URL })
  await bus.ensureStreams(STREAMS)
  await bus.serve(GetRecipe, ({ recipe_id: id }) => {
    if (id !== RECIPE.recipe_id) throw new CodedError('RECIPES_NOT_FOUND', 'no', { statusCode: 404 })
    return { recipe: RECIPE, created_at: now(), updated_at: now() }
  }, { queue: 'recipes' })
  await bus.serve(GetUpload, ({ upload_id: id }) => ({ upload_id: id, filename: 'bank.csv', format: 'csv' as const, columns: [{ name: 'payment_id', type: 'VARCHAR' }, { name: 'reference_number', type: 'VARCHAR' }], size_bytes: 10, key: `uploads/${id}/bank.csv`, created_at: now(), expires_at: new Date(Date.now() + 1e6).toISOString() }), { queue: 'sources' })
  await bus.serve(GetSource, ({ alias }) => ({ alias, type: 'postgres' as const, uri: 'postgres://u:***@db/erp?table=invoices', columns: [], created_at: now(), updated_at: now() }), { queue: 'sources' })
  const jobs: Job[] = []
  await bus.consume(MatchJobs, { ...MATCHER_CONSUMER, durable: 'test-matcher' }, (job) => { jobs.push(job); return { ack: true } })
  const app = await buildRunsApp(loadRunsConfig({ RUNS_DB_SCHEMA: schema, MIGRATE_ON_START: 'true', LOG_LEVEL: 'fatal' }), { bus, database })
  t.teardown(async () => {
    await app.close()
    await sql`DROP SCHEMA ${sql.id(schema)} CASCADE`.execute(database.db)
    await database.close()
    await bus.close()
  })
  const count = async (table: string): Promise<number> => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.id(schema, table)}`.execute(database.db)).rows[0]?.n ?? 0)
  return { bus, jobs, count }
}
