import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { text } from 'node:stream/consumers'
import type { Test } from 'tap'
import { sql } from 'kysely'
import { createMemoryBus, type MemoryBus } from '@kalla/bus'
import { openDatabase } from '@kalla/db'
import { GetRecipe, GetSource, GetUpload, MATCHER_CONSUMER, MatchJobs, STREAMS, type DecisionLine, type Job, type JobDecisions, type Recipe } from '@kalla/proto'
import { CodedError } from '@kalla/service'
import { createLocalStorage, type Storage } from '@kalla/storage'
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
export async function startRunsService (t: Test): Promise<{ bus: MemoryBus, jobs: Job[], storage: Storage, count: (table: string) => Promise<number> }> {
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
  const root = await mkdtemp(join(tmpdir(), 'kalla-runs-storage-'))
  const storage = createLocalStorage({ root })
  const app = await buildRunsApp(loadRunsConfig({ RUNS_DB_SCHEMA: schema, MIGRATE_ON_START: 'true', LOG_LEVEL: 'fatal', STORAGE_DIR: root }), { bus, database, storage })
  t.teardown(async () => {
    await app.close()
    await storage.close()
    await rm(root, { recursive: true, force: true })
    await sql`DROP SCHEMA ${sql.id(schema)} CASCADE`.execute(database.db)
    await database.close()
    await bus.close()
  })
  const count = async (table: string): Promise<number> => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.id(schema, table)}`.execute(database.db)).rows[0]?.n ?? 0)
  return { bus, jobs, storage, count }
}

/**
 * The decision set a job carries, read back from its decisions file (checked against the job's line count and
 * hash) and grouped as the engine groups it; undefined when the job carries none.
 */
export async function decisionsOf (storage: Storage, job: Job | undefined): Promise<JobDecisions | undefined> {
  const file = job?.decisions_file
  if (file === undefined) return undefined
  const body = await text(await storage.get(file.key))
  if (createHash('sha256').update(body).digest('hex') !== file.sha256) throw new Error('the decisions file does not match its hash')
  const lines = body.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as DecisionLine)
  if (lines.length !== file.lines) throw new Error(`the decisions file has ${lines.length} lines, the job says ${file.lines}`)
  const groups = (kind: DecisionLine['kind']): JobDecisions['manual_matches'] => {
    const byId = new Map<string, JobDecisions['manual_matches'][number]>()
    for (const line of lines.filter((l) => l.kind === kind)) {
      const id = line.decision_id ?? ''
      const group = byId.get(id) ?? { decision_id: id, left: [], right: [] }
      group[line.side].push(line.key)
      byId.set(id, group)
    }
    return [...byId.values()]
  }
  const writeOffs = (side: 'left' | 'right'): string[][] => lines.filter((l) => l.kind === 'write_off' && l.side === side).map((l) => l.key)
  return { manual_matches: groups('manual_match'), unmatches: groups('unmatch'), write_offs: { left: writeOffs('left'), right: writeOffs('right') } }
}
