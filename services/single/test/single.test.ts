import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { listEntries, verifyChain, type AuditDb } from '@kalla/audit'
import { readResultPage } from '@kalla/engine'
import { createTestDatabase, prepareFlowData, runFullFlow, startNatsServer, TEST_ADMIN_KEY } from '@kalla/testing'
import { buildSingleApp } from '../src/app.ts'
import { loadSingleConfig } from '../src/config.ts'

async function fullFlowInSingleMode (t: Test, infra: { nats?: boolean, postgres?: boolean }): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kalla-single-'))
  const sourceDb = await createTestDatabase()
  const stateDb = infra.postgres === true ? await createTestDatabase() : undefined
  const nats = infra.nats === true ? await startNatsServer() : undefined
  const env: Record<string, string | undefined> = {
    PORT: '0',
    LOG_LEVEL: 'warn',
    KALLA_DATA_DIR: join(dir, 'data'),
    KALLA_ADMIN_KEY: TEST_ADMIN_KEY,
    ...(stateDb === undefined ? {} : { DATABASE_URL: stateDb.url }),
    ...(nats === undefined ? {} : { NATS_URL: nats.url })
  }
  const { app, infrastructure } = await buildSingleApp(loadSingleConfig(env), env)
  t.teardown(async () => {
    await app.close()
    await nats?.stop()
    await stateDb?.drop()
    await sourceDb.drop()
    await rm(dir, { recursive: true, force: true })
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  t.equal(infrastructure.database.kind, stateDb === undefined ? 'pglite' : 'postgres')

  const data = await prepareFlowData(join(dir, 'input'), sourceDb.url)
  const { run, events } = await runFullFlow(infrastructure.bus, `http://127.0.0.1:${port}/uploads`, data, sourceDb.url)
  t.equal(run.status, 'completed', JSON.stringify(run.error))
  t.same(
    [run.matched_count, run.matched_left, run.matched_right, run.unmatched_left_count, run.unmatched_right_count, run.total_left, run.total_right],
    [data.truth.matched_count, data.truth.matched_left, data.truth.matched_right, data.truth.unmatched_left_count, data.truth.unmatched_right_count, data.truth.total_left, data.truth.total_right],
    'counts equal the ground truth')
  const stages = [...new Set(events.filter((e) => e.type === 'progress').map((e) => e.type === 'progress' ? e.stage : ''))]
  t.same(stages, ['staging', 'matching', 'writing_results'], 'progress events for every stage')
  t.equal(events.at(-1)?.type, 'completed')
  for (const kind of ['matched', 'unmatched_left', 'unmatched_right'] as const) {
    const key = run.outputs?.[kind] ?? ''
    const local = join(dir, 'result.parquet')
    await infrastructure.storage.download(key, local)
    const page = await readResultPage(local, { limit: 1, offset: 0 })
    const expected = kind === 'matched' ? data.truth.matched_count : kind === 'unmatched_left' ? data.truth.unmatched_left_count : data.truth.unmatched_right_count
    t.equal(page.totalCount, expected, `${kind}.parquet is readable and complete`)
  }
  const audit = infrastructure.database.db.withSchema('audit') as AuditDb
  t.match(await listEntries(audit), [{ channel: 'http', operation: 'upload', outcome: 'ok', actor: { id: 'admin-key' }, args: { filename: 'bank-statement.csv' } }], 'the upload is in the audit trail')
  t.same(await verifyChain(audit), { valid: true, entries: 1, firstBroken: null }, 'and its chain holds')
  t.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200)
}

t.test('single mode with embedded defaults (in-process bus, PGlite, local disk) runs the full flow', (t) => fullFlowInSingleMode(t, {}))
t.test('single mode on real Postgres and NATS JetStream runs the full flow', (t) => fullFlowInSingleMode(t, { nats: true, postgres: true }))
