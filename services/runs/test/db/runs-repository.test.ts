import { randomBytes } from 'node:crypto'
import t, { type Test } from 'tap'
import { sql } from 'kysely'
import { migrateSchema, openDatabase } from '@kalla/db'
import { newRun, type Job } from '@kalla/proto'
import { migrations } from '../../src/db/migrations/index.ts'
import { getRun, insertRun, listRuns, type RunsDb } from '../../src/db/runs-repository.ts'

const PG_URL = process.env.KALLA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const job = { run_id: 'x', recipe: { recipe_id: 'r' } } as unknown as Job

async function migrated (t: Test): Promise<{ db: RunsDb, schema: string }> {
  const schema = `runs_repo_test_${randomBytes(5).toString('hex')}`
  const database = await openDatabase({ url: PG_URL })
  await migrateSchema(database.db, schema, migrations)
  t.teardown(async () => {
    await sql`DROP SCHEMA ${sql.id(schema)} CASCADE`.execute(database.db)
    await database.close()
  })
  return { db: database.db.withSchema(schema) as RunsDb, schema }
}

t.test('runs are listed newest first, filtered by recipe and status, without their stored job', async (t) => {
  const { db } = await migrated(t)
  for (const [i, recipe] of ['a', 'b', 'a', 'b', 'a'].entries()) {
    await insertRun(db, newRun({ run_id: `run-${i}`, recipe_id: recipe, at: new Date().toISOString() }), { ...job, run_id: `run-${i}` })
    await db.updateTable('runs').set({ created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) } as never).where('run_id', '=', `run-${i}`).execute()
  }
  await db.updateTable('runs').set({ status: 'completed' }).where('run_id', 'in', ['run-1', 'run-4']).execute()
  const ids = async (filter: Parameters<typeof listRuns>[1]): Promise<string[]> => (await listRuns(db, filter)).map((r) => r.run_id)
  t.same(await ids({ limit: 3, offset: 0 }), ['run-4', 'run-3', 'run-2'])
  t.same(await ids({ limit: 3, offset: 3 }), ['run-1', 'run-0'])
  t.same(await ids({ recipe_id: 'a', limit: 10, offset: 0 }), ['run-4', 'run-2', 'run-0'])
  t.same(await ids({ status: 'completed', limit: 10, offset: 0 }), ['run-4', 'run-1'])
  t.same(await ids({ recipe_id: 'b', status: 'submitted', limit: 10, offset: 0 }), ['run-3'])
  const [first] = await listRuns(db, { limit: 1, offset: 0 })
  t.notOk(first !== undefined && 'job' in first, 'a listed run carries no job')
  t.same(await getRun(db, 'run-4'), first, 'one run reads as it lists')
  t.equal(await getRun(db, 'missing'), undefined)
})

t.test('a run reads back as it was recorded, timestamps to the millisecond', async (t) => {
  const { db } = await migrated(t)
  // created_at is Postgres' now(), in microseconds: both ways of reading it must cut it to the same millisecond.
  const inserted = await insertRun(db, newRun({ run_id: 'run-a', recipe_id: 'a', at: new Date().toISOString() }), job)
  t.same(await getRun(db, 'run-a'), inserted)
  const at = new Date('2026-03-04T05:06:07.089Z')
  await db.updateTable('runs').set({ started_at: at, finished_at: at, updated_at: at }).where('run_id', '=', 'run-a').execute()
  const read = await getRun(db, 'run-a')
  t.same([read?.started_at, read?.finished_at, read?.updated_at], [at.toISOString(), at.toISOString(), at.toISOString()])
  t.match(read?.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
})

t.test('the list filters have indexes in the order a page is read', async (t) => {
  const { db, schema } = await migrated(t)
  const { rows } = await sql<{ indexname: string, indexdef: string }>`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = ${schema} AND tablename = 'runs' ORDER BY indexname`.execute(db)
  const defs = Object.fromEntries(rows.map((r) => [r.indexname, r.indexdef.replace(/^.* USING btree /, '')]))
  t.same(defs, {
    runs_created: '(created_at DESC, run_id DESC)',
    runs_pkey: '(run_id)',
    runs_recipe_created_id: '(recipe_id, created_at DESC, run_id DESC)',
    runs_status_created_id: '(status, created_at DESC, run_id DESC)'
  })
})
