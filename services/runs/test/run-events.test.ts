import { randomBytes } from 'node:crypto'
import { PassThrough } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { sql } from 'kysely'
import { createMemoryBus, silentLogger } from '@kalla/bus'
import { migrateSchema, openDatabase } from '@kalla/db'
import { newRun, RunEvents, STREAMS } from '@kalla/proto'
import { createLogger } from '@kalla/service'
import { waitFor } from '@kalla/testing'
import { migrations } from '../src/db/migrations/index.ts'
import { findRun, insertRun, type RunsDb } from '../src/db/runs-repository.ts'
import type { RunsDeps } from '../src/domain/deps.ts'
import { consumeRunEvents } from '../src/handlers/run-events.ts'
import { unusedStorage } from './storage.ts'

const PG_URL = process.env.KALLA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const job = { run_id: 'x', output_path: 'results/x', match_sql: 'SELECT 1', sources: [], primary_keys: { left: [], right: [] } } as never

t.test('an event that arrives while the database is unreachable waits for it, without using up its deliveries, and is recorded once it is back', async (t) => {
  const schema = `runs_events_${randomBytes(5).toString('hex')}`
  const database = await openDatabase({ url: PG_URL })
  await migrateSchema(database.db, schema, migrations)
  // Nothing listens on port 9: every query is refused, as while Postgres restarts or fails over.
  const unreachable = await openDatabase({ url: 'postgres://postgres@127.0.0.1:9/kalla' })
  const bus = createMemoryBus({ logger: silentLogger })
  await bus.ensureStreams(STREAMS)
  const log = new PassThrough()
  const lines: string[] = []
  log.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter((l) => l !== '')))
  const db = database.db.withSchema(schema) as RunsDb
  const deps: RunsDeps = { db: unreachable.db.withSchema(schema) as RunsDb, bus, log: createLogger({ name: 'runs', level: 'info', destination: log }), resultsPrefix: 'results', storage: unusedStorage }
  let up = false
  const consumption = await consumeRunEvents(bus, deps, async () => { if (!up) throw new Error('connection refused') })
  t.teardown(async () => {
    await consumption.stop()
    await bus.close()
    await unreachable.close()
    await sql`DROP SCHEMA ${sql.id(schema)} CASCADE`.execute(database.db)
    await database.close()
  })
  const run = await insertRun(db, newRun({ run_id: 'run-outage', recipe_id: 'r', at: new Date(Date.now() - 1000).toISOString() }), job)
  await bus.publish(RunEvents, { type: 'failed', run_id: run.run_id, code: 'ENGINE_SQL_FAILED', message: 'The match SQL failed.', stage: 'matching', at: new Date().toISOString() }, { subjectSuffix: run.run_id })

  await sleep(3000)
  const messages = (): string[] => lines.map((l) => (JSON.parse(l) as { msg: string }).msg)
  t.same(messages(), ['the database cannot be reached; the run event waits for it'], 'it waits, once, and is not handed back')
  deps.db = db
  up = true
  const recorded = await waitFor(async () => { const found = await findRun(db, run.run_id); return found?.status === 'failed' ? found : undefined }, 10_000, 'the event to be recorded')
  t.equal(recorded.error?.code, 'ENGINE_SQL_FAILED')
  t.match(messages().at(-1) ?? '', /the database is back/)
  t.notOk(messages().some((m) => /retrying/.test(m)), 'no delivery was used up')
})
