import { readdir } from 'node:fs/promises'
import { DuckDBInstance } from '@duckdb/node-api'
import pg from 'pg'
import t from 'tap'
import type { JobSource } from '@kalla/proto'
import { stageSource } from '../src/stage/index.ts'
import { parallelReads, planRanges } from '../src/stage/postgres-parallel.ts'
import { parsePostgresUri } from '../src/stage/postgres-uri.ts'
import { tempDir } from './fixtures.ts'
import { PG_URL, pgSchema } from './postgres-db.ts'

const ROWS = 30_000
const defaults = { ...parallelReads }
// Small ranges, so a test-sized table is read by three connections in nine ranges.
Object.assign(parallelReads, { readers: 3, partsPerReader: 3, minPartPages: 4 })
t.teardown(() => { Object.assign(parallelReads, defaults) })

/** Invoice i's amount in cents and its unconstrained fee as text: the expectations are computed from these. */
const cents = (i: number): bigint => BigInt((i * 7919) % 10_000_000) - 2_000_000n
const fee = (i: number): string => `${i % 13}.${String(i % 1000).padStart(3, '0')}000000000001`

async function seed (client: pg.Client, schema: string): Promise<void> {
  await client.query(`CREATE TABLE ${schema}.invoices (id int PRIMARY KEY, amount numeric(12,2) NOT NULL, fee numeric, memo text)`)
  await client.query(`INSERT INTO ${schema}.invoices SELECT i, ((i * 7919) % 10000000 - 2000000) / 100.0, ((i % 13) || '.' || lpad((i % 1000)::text, 3, '0') || '000000000001')::numeric,
    CASE WHEN i % 10 = 0 THEN '' ELSE 'memo, "' || i || '"' END FROM generate_series(1, ${ROWS}) AS i`)
  await client.query(`VACUUM ANALYZE ${schema}.invoices`)
}

async function stage (uri: string, dir: string): Promise<{ rows: number, query: (sql: string) => Promise<Record<string, unknown>[]> }> {
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  t.teardown(() => { connection.closeSync(); instance.closeSync() })
  const source = { alias: 'invoices', side: 'left', type: 'postgres', uri } as JobSource
  const staged = await stageSource({ connection, tempDir: dir, intervalMs: 50, signal: new AbortController().signal, report: () => {} }, source)
  return { rows: staged.rows, query: async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJS() }
}

/** Exact sums in JS: cents as BigInt, printed as a decimal with two places. */
function decimal (total: bigint): string {
  const sign = total < 0n ? '-' : ''
  const abs = total < 0n ? -total : total
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`
}

t.test('a table read by several connections in page ranges arrives whole and exact', async (t) => {
  const { client, schema, uri } = await pgSchema(t)
  await seed(client, schema)
  const ranges = await planRanges(client, parsePostgresUri(uri(`table=${schema}.invoices`), 'invoices'), undefined)
  t.equal(ranges?.length, 9, 'the table is split into nine ranges')
  t.equal(ranges?.at(-1)?.to, undefined, 'the last range is open-ended')
  const dir = await tempDir(t)
  const staged = await stage(uri(`table=${schema}.invoices`), dir)
  t.equal(staged.rows, ROWS)
  let sum = 0n
  let memos = 0
  for (let i = 1; i <= ROWS; i++) {
    sum += cents(i)
    if (i % 10 !== 0) memos++
  }
  const [row] = await staged.query('SELECT count(DISTINCT id) AS ids, min(id) AS low, max(id) AS high, sum(amount)::VARCHAR AS total, count(memo) AS memos, typeof(any_value(amount)) AS type FROM invoices')
  t.same(row, { ids: ROWS, low: 1, high: ROWS, total: decimal(sum), memos, type: 'DECIMAL(12,2)' })
  const samples = await staged.query('SELECT id, fee::VARCHAR AS fee, memo FROM invoices WHERE id IN (1, 9, 12345, 30000) ORDER BY id')
  t.same(samples.map((r) => [r.id, String(r.fee).replace(/0+$/, ''), r.memo]), [1, 9, 12345, 30000].map((i) => [i, fee(i).replace(/0+$/, ''), i % 10 === 0 ? null : `memo, "${i}"`]))
  t.same(await readdir(dir), [], 'the ranges\' files are deleted once loaded')
})

t.test('the parallel readers share one snapshot while another connection writes', async (t) => {
  const { client, schema, uri } = await pgSchema(t)
  await seed(client, schema)
  const initial = (await client.query<{ total: string }>(`SELECT sum(amount)::text AS total FROM ${schema}.invoices`)).rows[0]!.total
  // Each transaction moves a cent between two rows (their new versions land in other pages) and adds two rows
  // that cancel out: every consistent view has the same total, an even number of new rows and unique ids.
  const writer = new pg.Client({ connectionString: PG_URL })
  await writer.connect()
  const state = { writing: true, committed: 0 }
  const writes = (async () => {
    for (let n = 0; state.writing; n++) {
      const a = 1 + (n * 104_729) % ROWS
      const b = 1 + (n * 7_727 + 11) % ROWS
      const id = ROWS + 1 + 2 * n
      await writer.query(`BEGIN; UPDATE ${schema}.invoices SET amount = amount + 0.01 WHERE id = ${a}; UPDATE ${schema}.invoices SET amount = amount - 0.01 WHERE id = ${b};
        INSERT INTO ${schema}.invoices VALUES (${id}, ${n}.25, 1, 'w'), (${id + 1}, -${n}.25, 1, 'w'); COMMIT`)
      state.committed++
    }
  })()
  t.teardown(async () => { state.writing = false; await writes.catch(() => {}); await writer.end() })
  while (state.committed < 20) await new Promise((resolve) => setTimeout(resolve, 5))
  const before = state.committed
  const staged = await stage(uri(`table=${schema}.invoices`), await tempDir(t))
  const during = state.committed - before
  state.writing = false
  await writes
  t.ok(during > 0, `the writer committed ${during} transactions while the table was staged`)
  const [row] = await staged.query('SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(amount)::VARCHAR AS total FROM invoices')
  t.equal(row!.ids, row!.n, 'no row is read twice (an updated row would be, in two snapshots)')
  t.equal(row!.total, initial, 'the total is the one every consistent view has')
  t.equal((Number(row!.n) - ROWS) % 2, 0, 'new rows come in whole transactions')
  const final = (await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.invoices`)).rows[0]!.n
  t.ok(Number(row!.n) < Number(final), 'rows committed after the snapshot are not read')
})

t.test('a server that allows the user one connection gets the table read by that one', async (t) => {
  const { client, schema } = await pgSchema(t)
  await seed(client, schema)
  const role = `${schema}_reader`
  await client.query(`CREATE ROLE ${role} LOGIN CONNECTION LIMIT 1; GRANT USAGE ON SCHEMA ${schema} TO ${role}; GRANT SELECT ON ${schema}.invoices TO ${role}`)
  t.teardown(async () => { await client.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`) })
  const url = new URL(PG_URL)
  url.username = role
  url.searchParams.set('table', `${schema}.invoices`)
  const staged = await stage(url.toString(), await tempDir(t))
  const [row] = await staged.query('SELECT count(DISTINCT id) AS ids, max(id) AS high FROM invoices')
  t.same([staged.rows, row], [ROWS, { ids: ROWS, high: ROWS }])
})
