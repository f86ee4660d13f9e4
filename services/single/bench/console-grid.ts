import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildConsole } from '@kalla/console/build'
import { createTestDatabase, graphqlOk, listen, startBrowser, TEST_ADMIN_KEY, uploadFile, waitFor } from '@kalla/testing'
import t from 'tap'
import { buildSingleApp } from '../src/app.ts'
import { loadSingleConfig } from '../src/config.ts'
import { median, writeCsv } from './kit.ts'

// Measures the console's results grid on a run with ROWS unmatched left rows: the time from opening the
// results to the first drawn rows, and from a "Go to row" jump to the drawn rows there (median of JUMPS).
// Run by hand: scripts/node services/single/bench/console-grid.ts [rows]. It prints numbers; it asserts none.
const ROWS = Number(process.argv[2] ?? 1_000_000)
const JUMPS = 7

// A million rows take minutes to generate, upload and run on a loaded machine.
t.setTimeout(1_800_000)

t.test(`the results grid on ${ROWS.toLocaleString('en')} rows`, { timeout: 1_800_000 }, async (t) => {
  await buildConsole()
  const dir = await mkdtemp(join(tmpdir(), 'kalla-grid-'))
  const stateDb = await createTestDatabase()
  const env = { PORT: '0', LOG_LEVEL: 'warn', KALLA_DATA_DIR: join(dir, 'data'), DATABASE_URL: stateDb.url, KALLA_ADMIN_KEY: TEST_ADMIN_KEY }
  const { app } = await buildSingleApp(loadSingleConfig(env), env)
  t.teardown(async () => { await app.close(); await stateDb.drop(); await rm(dir, { recursive: true, force: true }) })
  const url = await listen(app)
  await writeCsv(join(dir, 'ledger.csv'), 'entry_id,account,amount', ROWS, (i) => `E${String(i).padStart(8, '0')},A${i % 97},${(i % 100000) / 100 + 1}.${String(i % 100).padStart(2, '0')}`)
  await writeCsv(join(dir, 'bank.csv'), 'line_id,entry_ref,amount', 10, (i) => `L${i},NONE${i},1.00`)
  const ledger = await uploadFile(`${url}/uploads`, join(dir, 'ledger.csv'), 'ledger.csv')
  const bank = await uploadFile(`${url}/uploads`, join(dir, 'bank.csv'), 'bank.csv')
  await graphqlOk(url, 'mutation ($input: RecipeInput!) { saveRecipe(input: $input) { recipeId } }', { input: { recipeId: 'grid', name: 'Grid', matchSql: 'SELECT l.entry_id, r.line_id FROM ledger l JOIN bank r ON r.entry_ref = l.entry_id', left: { alias: 'ledger', type: 'FILE', schema: ['entry_id', 'account', 'amount'], primaryKey: ['entry_id'] }, right: { alias: 'bank', type: 'FILE', schema: ['line_id', 'entry_ref', 'amount'], primaryKey: ['line_id'] } } })
  const started = await graphqlOk<{ startRun: { runId: string } }>(url, 'mutation ($input: StartRunInput!) { startRun(input: $input) { runId } }', { input: { recipeId: 'grid', files: [{ alias: 'ledger', uploadId: ledger.uploadId }, { alias: 'bank', uploadId: bank.uploadId }] } })
  const runId = started.startRun.runId
  await waitFor(async () => {
    const { run } = await graphqlOk<{ run: { status: string } }>(url, 'query ($id: ID!) { run(runId: $id) { status } }', { id: runId })
    return run.status === 'COMPLETED' ? true : undefined
  }, 600_000, 'the run to complete')

  const { page } = await startBrowser(t)
  await page.goto(url)
  await page.getByLabel('API key').fill(TEST_ADMIN_KEY)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('button', { name: 'Sign out' }).waitFor()
  const loaded = (index: number) => page.locator(`[data-row="${index}"] [role=gridcell]`).first().filter({ hasNotText: '…' }).waitFor({ timeout: 60_000 })
  const first: number[] = []
  for (let i = 0; i < 3; i++) {
    await page.goto(`${url}/#/runs`)
    const start = performance.now()
    await page.goto(`${url}/#/runs/${runId}/results/unmatched_left`)
    await loaded(0)
    first.push(performance.now() - start)
  }
  t.equal(await page.getByTestId('result-total').textContent(), String(ROWS), 'the grid counts every row')
  const jumps: number[] = []
  for (let i = 0; i < JUMPS; i++) {
    const row = Math.floor(ROWS * (0.1 + 0.8 * ((i * 0.618) % 1)))
    await page.getByLabel('Go to row').fill(String(row + 1))
    const start = performance.now()
    await page.getByRole('button', { name: 'Go', exact: true }).click()
    await loaded(row)
    jumps.push(performance.now() - start)
  }
  console.log(JSON.stringify({ rows: ROWS, firstRowsMs: first.map(Math.round), firstRowsMedianMs: Math.round(median(first)), jumpMs: jumps.map(Math.round), jumpMedianMs: Math.round(median(jumps)) }))
})
