import { randomBytes } from 'node:crypto'
import t from 'tap'
import { sql } from 'kysely'
import { migrateSchema, openDatabase } from '@kalla/db'
import { newRun, type Job } from '@kalla/proto'
import { migrations } from '../../src/db/migrations/index.ts'
import { up as maskJobCredentials } from '../../src/db/migrations/2026-12-02T00-00-00-mask-job-credentials.ts'
import { findRun, insertRun, type RunsDb } from '../../src/db/runs-repository.ts'

const PG_URL = process.env.KALLA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

const jobWith = (runId: string, uri: string): Job => ({
  run_id: runId,
  match_sql: 'SELECT 1',
  sources: [
    { alias: 'invoices', side: 'left', type: 'postgres', uri },
    { alias: 'payments', side: 'right', type: 'file', uri: 'uploads/u/bank.csv', format: 'csv' }
  ],
  primary_keys: { invoices: ['invoice_id'], payments: ['payment_id'] },
  output_path: `results/${runId}`
})

t.test('the migration masks the passwords that jobs stored before references held, and nothing else', async (t) => {
  const schema = `runs_mask_test_${randomBytes(5).toString('hex')}`
  const database = await openDatabase({ url: PG_URL })
  t.teardown(async () => {
    await sql`DROP SCHEMA ${sql.id(schema)} CASCADE`.execute(database.db)
    await database.close()
  })
  await migrateSchema(database.db, schema, migrations)
  const db = database.db.withSchema(schema) as RunsDb
  const stored = [
    ['run-1', 'postgres://app:s3cr%40t-Pw@db:5432/erp?table=invoices', 'postgres://app:***@db:5432/erp?table=invoices'],
    ['run-2', 'postgresql://app:OtherPw@db/erp?query=SELECT%201', 'postgresql://app:***@db/erp?query=SELECT%201'],
    ['run-3', 'source:erp', 'source:erp'],
    ['run-4', 'postgres://app@db/erp?table=invoices', 'postgres://app@db/erp?table=invoices']
  ]
  for (const [runId, uri] of stored) await insertRun(db, newRun({ run_id: runId ?? '', recipe_id: 'r', at: new Date().toISOString() }), jobWith(runId ?? '', uri ?? ''))
  await maskJobCredentials(db)
  for (const [runId, , masked] of stored) {
    const run = await findRun(db, runId ?? '')
    t.same(run?.job.sources.map((s) => s.uri), [masked, 'uploads/u/bank.csv'], `${runId}: ${masked}`)
  }
  const raw = await sql<{ job: string }>`SELECT job::text AS job FROM ${sql.id(schema, 'runs')}`.execute(database.db)
  t.notMatch(JSON.stringify(raw.rows), /s3cr|OtherPw/)
})
