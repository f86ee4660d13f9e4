import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestDatabase, graphqlOk, listen, TEST_ADMIN_KEY, uploadFile, waitFor } from '@kalla/testing'
import t from 'tap'
import { buildSingleApp } from '../src/app.ts'
import { loadSingleConfig } from '../src/config.ts'
import { median, writeCsv } from './kit.ts'

// Measures one page of the console's exception queue (Run.exceptions, 200 records) on a run that leaves ROWS
// ledger rows unmatched: unfiltered at the start and the middle, with a key search, and with state and assignee
// filters, before and after states are stored on some of the rows. Run by hand: scripts/node services/single/bench/exception-queue.ts [rows].
// It prints the median of REPS reads of each; it asserts none.
const ROWS = Number(process.argv[2] ?? 100_000)
const REPS = 3

t.setTimeout(1_800_000)
const QUEUE = 'query ($id: ID!, $offset: Int!, $filter: RunExceptionQuery) { run(runId: $id) { exceptions(side: LEFT, limit: 200, offset: $offset, filter: $filter) { totalCount records { key exception { state } nearest { rank } } } } }'

t.test(`the exception queue on ${ROWS.toLocaleString('en')} unmatched rows`, { timeout: 1_800_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kalla-queue-'))
  const stateDb = await createTestDatabase()
  const env = { PORT: '0', LOG_LEVEL: 'warn', KALLA_DATA_DIR: join(dir, 'data'), DATABASE_URL: stateDb.url, KALLA_ADMIN_KEY: TEST_ADMIN_KEY }
  const { app } = await buildSingleApp(loadSingleConfig(env), env)
  t.teardown(async () => { await app.close(); await stateDb.drop(); await rm(dir, { recursive: true, force: true }) })
  const url = await listen(app)
  await writeCsv(join(dir, 'ledger.csv'), 'entry_id,account,amount', ROWS, (i) => `E${String(i).padStart(8, '0')},A${i % 97},${1 + (i % 1000)}.${String(i % 100).padStart(2, '0')}`)
  await writeCsv(join(dir, 'bank.csv'), 'line_id,entry_ref,amount', 10, (i) => `L${i},NONE${i},1.00`)
  const ledger = await uploadFile(`${url}/uploads`, join(dir, 'ledger.csv'), 'ledger.csv')
  const bank = await uploadFile(`${url}/uploads`, join(dir, 'bank.csv'), 'bank.csv')
  await graphqlOk(url, 'mutation ($input: RecipeInput!) { saveRecipe(input: $input) { recipeId } }', { input: { recipeId: 'queue', name: 'Queue', matchSql: 'SELECT l.entry_id, r.line_id FROM ledger l JOIN bank r ON r.entry_ref = l.entry_id AND tolerance_match(l.amount, r.amount, 0.01)', left: { alias: 'ledger', type: 'FILE', schema: ['entry_id', 'account', 'amount'], primaryKey: ['entry_id'] }, right: { alias: 'bank', type: 'FILE', schema: ['line_id', 'entry_ref', 'amount'], primaryKey: ['line_id'] } } })
  const started = await graphqlOk<{ startRun: { runId: string } }>(url, 'mutation ($input: StartRunInput!) { startRun(input: $input) { runId } }', { input: { recipeId: 'queue', files: [{ alias: 'ledger', uploadId: ledger.uploadId }, { alias: 'bank', uploadId: bank.uploadId }] } })
  const id = started.startRun.runId
  await waitFor(async () => {
    await new Promise((resolve) => setTimeout(resolve, 1000)) // polls once a second, under the gateway's rate limit
    const { run } = await graphqlOk<{ run: { status: string } }>(url, 'query ($id: ID!) { run(runId: $id) { status } }', { id })
    if (run.status === 'FAILED') throw new Error(`run ${id} failed`)
    return run.status === 'COMPLETED' ? true : undefined
  }, 600_000, 'the run to complete')
  const time = async (offset: number, filter: Record<string, string> | null): Promise<{ ms: number, total: number }> => {
    const ms: number[] = []
    let total = 0
    for (let i = 0; i < REPS; i++) {
      const start = performance.now()
      const { run } = await graphqlOk<{ run: { exceptions: { totalCount: number } } }>(url, QUEUE, { id, offset, filter })
      ms.push(performance.now() - start)
      total = run.exceptions.totalCount
    }
    return { ms: Math.round(median(ms)), total }
  }
  const measure = async (cases: ReadonlyArray<readonly [string, number, Record<string, string> | null]>): Promise<void> => {
    for (const [name, offset, filter] of cases) {
      const { ms, total } = await time(offset, filter)
      t.comment(`${name}: ${ms} ms (median of ${REPS}), ${total} records pass`)
    }
  }
  await measure([['first page', 0, null], ['middle page', Math.floor(ROWS / 2), null], ['key search "E000012"', 0, { search: 'E000012' }], ['state OPEN, no state stored', 0, { state: 'OPEN' }]])
  // Then states on a twentieth of the rows (investigating) and an assignee on a fiftieth.
  const keys = (every: number) => Array.from({ length: Math.floor(ROWS / every) }, (_, i) => ({ side: 'LEFT', key: [`E${String(i * every).padStart(8, '0')}`] }))
  const change = 'mutation ($records: [RecordRefInput!]!, $change: ExceptionChangeInput!) { updateExceptions(recipeId: "queue", records: $records, change: $change) { updated } }'
  for (const [every, changeInput] of [[20, { state: 'INVESTIGATING' }], [50, { assignee: 'carla' }]] as const) {
    const records = keys(every)
    for (let i = 0; i < records.length; i += 10_000) await graphqlOk(url, change, { records: records.slice(i, i + 10_000), change: changeInput })
  }
  await measure([['state OPEN, 1 in 20 investigating', 0, { state: 'OPEN' }], ['state OPEN, middle page', Math.floor(ROWS / 4), { state: 'OPEN' }], ['state INVESTIGATING', 0, { state: 'INVESTIGATING' }], ['assignee carla with a search', 0, { assignee: 'carla', search: 'E0000' }]])
  t.pass('measured')
})
