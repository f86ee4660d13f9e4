import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { createTestDatabase, listen, prepareFlowData, TEST_ADMIN_KEY, type FlowData } from '@kalla/testing'
import { buildSingleApp, type SingleApp } from '../src/app.ts'
import { loadSingleConfig } from '../src/config.ts'

export interface SingleHarness { url: string, dir: string, data: FlowData, sourceUrl: string, databaseUrl: string, infrastructure: SingleApp['infrastructure'] }

/**
 * Single mode as `npm start` runs it (in-process bus, local disk), with Postgres for its state, listening on
 * a free port (`extraEnv` added to its environment), and generated flow data: `invoices` invoices in a Postgres source table and a payments CSV.
 */
export async function startSingle (t: Test, invoices: number, extraEnv: Record<string, string> = {}): Promise<SingleHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'kalla-single-'))
  const sourceDb = await createTestDatabase()
  const stateDb = await createTestDatabase()
  const env: Record<string, string | undefined> = { PORT: '0', LOG_LEVEL: 'warn', KALLA_DATA_DIR: join(dir, 'data'), DATABASE_URL: stateDb.url, MATCHER_PROGRESS_INTERVAL_MS: '100', KALLA_ADMIN_KEY: TEST_ADMIN_KEY, ...extraEnv }
  const { app, infrastructure } = await buildSingleApp(loadSingleConfig(env), env)
  t.teardown(async () => {
    await app.close()
    await stateDb.drop()
    await sourceDb.drop()
    await rm(dir, { recursive: true, force: true })
  })
  const url = await listen(app)
  const data = await prepareFlowData(join(dir, 'input'), sourceDb.url, invoices)
  return { url, dir, data, sourceUrl: sourceDb.url, databaseUrl: stateDb.url, infrastructure }
}
