import t from 'tap'
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import { checkKeys } from '../src/keys.ts'
import { isEngineError } from '../src/index.ts'

async function withTable (rows: string, work: (connection: DuckDBConnection) => Promise<void>): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  try {
    await connection.run(`CREATE TABLE side AS ${rows}`)
    await work(connection)
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

async function refusal (connection: DuckDBConnection, keys: string[]): Promise<{ code?: string, message: string } | undefined> {
  const error = await checkKeys(connection, 'side', keys).then(() => undefined, (e: unknown) => e)
  if (error === undefined) return undefined
  return isEngineError(error) ? { code: error.code, message: error.message } : { message: String(error) }
}

// 50,000 distinct ids, in an order unrelated to their value, so no check can lean on sorted input.
const SHUFFLED = 'SELECT (i * 7919) % 50000 AS id, DATE \'2026-01-01\' + CAST(i % 400 AS INTEGER) AS day FROM range(50000) r(i)'

t.test('50,000 distinct keys in shuffled order pass', async (t) => {
  await withTable(SHUFFLED, async (connection) => {
    t.equal(await refusal(connection, ['id']), undefined)
  })
})

t.test('one key repeated among 50,000 is found, with its count', async (t) => {
  // Row 49,999 gets the id of row 0 ((0 * 7919) % 50000 = 0): one value twice, counted by hand.
  await withTable('SELECT CASE WHEN i = 49999 THEN 0 ELSE (i * 7919) % 50000 END AS id FROM range(50000) r(i)', async (connection) => {
    const found = await refusal(connection, ['id'])
    t.equal(found?.code, 'ENGINE_DUPLICATE_KEY')
    t.match(found?.message ?? '', /side has 1 id value\(s\) that appear more than once, e\.g\. 0 \(2 times\)/)
  })
})

t.test('a composite key is unique as a whole even when each column repeats', async (t) => {
  // (i % 100, i / 100) is a distinct pair for every i < 10,000; each column alone repeats 100 times.
  await withTable('SELECT i % 100 AS company, i // 100 AS invoice_no FROM range(10000) r(i)', async (connection) => {
    t.equal(await refusal(connection, ['company', 'invoice_no']), undefined)
    const single = await refusal(connection, ['company'])
    t.equal(single?.code, 'ENGINE_DUPLICATE_KEY')
    t.match(single?.message ?? '', /side has 100 company value\(s\)/)
  })
})

t.test('a composite key of text and date repeated three times is named', async (t) => {
  await withTable("SELECT * FROM (VALUES ('A', DATE '2026-01-01'), ('A', DATE '2026-01-02'), ('B', DATE '2026-01-01'), ('A', DATE '2026-01-02'), ('A', DATE '2026-01-02')) v(company, day)", async (connection) => {
    const found = await refusal(connection, ['company', 'day'])
    t.equal(found?.code, 'ENGINE_DUPLICATE_KEY')
    t.match(found?.message ?? '', /side has 1 company \/ day value\(s\) that appear more than once, e\.g\. A \/ 2026-01-02 \(3 times\)/)
  })
})
