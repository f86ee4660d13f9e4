import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import t from 'tap'
import { MAX_RESULT_KEYS, readResultPage } from '../src/index.ts'
import type { EngineError } from '../src/errors.ts'
import { tempDir } from './fixtures.ts'

// A result file of 3,000 rows keyed by (id BIGINT, amount DECIMAL, day DATE), with a column named like the
// key table's own columns; a key set names rows by their text, and the expected pages are computed here.
interface Row { id: number, amount: string, day: string, k0: string, label: string }
const rows: Row[] = Array.from({ length: 3000 }, (_, i) => ({
  id: i + 1,
  amount: `${(i * 37) % 500}.${String(i % 100).padStart(2, '0')}`,
  day: `2024-0${1 + (i % 9)}-${String(1 + (i % 28)).padStart(2, '0')}`,
  k0: `shadow-${i % 7}`,
  label: i % 3 === 0 ? 'Acme' : 'Globex'
}))
const dir = await tempDir(t)
const file = join(dir, 'unmatched.parquet')
const instance = await DuckDBInstance.create(':memory:')
const connection = await instance.connect()
await connection.run(`COPY (SELECT range + 1 AS id, CAST(((range * 37) % 500) || '.' || lpad(CAST(range % 100 AS VARCHAR), 2, '0') AS DECIMAL(12, 2)) AS amount,
  make_date(2024, CAST(1 + range % 9 AS INTEGER), CAST(1 + range % 28 AS INTEGER)) AS day, 'shadow-' || (range % 7) AS k0,
  CASE WHEN range % 3 = 0 THEN 'Acme' ELSE 'Globex' END AS label FROM range(3000)) TO '${file}'`)
connection.closeSync()
instance.closeSync()

const COLUMNS = ['ID', 'amount', 'day']
const keyOf = (r: Row): string[] => [String(r.id), r.amount, r.day]
const chosen = rows.filter((r) => r.id % 11 === 0 || r.id % 13 === 0)
const keys = [...chosen.map(keyOf), ['999999', '1.00', '2024-01-01'], ['11', '0.00', '2024-01-01']] // two that name no row

async function allIds (query: Parameters<typeof readResultPage>[3], size = 97): Promise<{ ids: number[], totals: Set<number> }> {
  const ids: number[] = []
  const totals = new Set<number>()
  for (let offset = 0; ; offset += size) {
    const page = await readResultPage(file, { limit: size, offset }, {}, query)
    totals.add(page.totalCount)
    ids.push(...page.rows.map((r) => Number(r.id)))
    if (page.rows.length < size) return { ids, totals }
  }
}

async function code (promise: Promise<unknown>): Promise<string | undefined> {
  try { await promise } catch (error) { return (error as EngineError).code }
  return undefined
}

t.test('a key set keeps exactly the rows it names, by integer, decimal and date text, paged with an exact total', async (t) => {
  const { ids, totals } = await allIds({ keys: { columns: COLUMNS, keys } })
  t.same(ids, chosen.map((r) => r.id), 'in file order')
  t.same([...totals], [chosen.length], 'every page counts the rows named, not the keys given')
})

t.test('an excluding key set keeps every other row', async (t) => {
  const { ids, totals } = await allIds({ keys: { columns: COLUMNS, keys, exclude: true } }, 500)
  const expected = rows.filter((r) => !chosen.includes(r)).map((r) => r.id)
  t.same(ids, expected)
  t.same([...totals], [rows.length - chosen.length])
  t.equal((await readResultPage(file, { limit: 5, offset: 0 }, {}, { keys: { columns: COLUMNS, keys: [], exclude: true } })).totalCount, rows.length, 'excluding nothing keeps all')
  t.equal((await readResultPage(file, { limit: 5, offset: 0 }, {}, { keys: { columns: COLUMNS, keys: [] } })).totalCount, 0, 'naming nothing keeps none')
})

t.test('a key set combines with a filter and a sort', async (t) => {
  const expected = chosen.filter((r) => r.label === 'Acme').sort((a, b) => Number(b.amount.replace('.', '')) - Number(a.amount.replace('.', '')) || a.id - b.id)
  const { ids, totals } = await allIds({ keys: { columns: COLUMNS, keys }, filters: [{ column: 'label', contains: 'acme' }], sort: { column: 'amount', descending: true } }, 40)
  t.same(ids, expected.map((r) => r.id))
  t.same([...totals], [expected.length])
})

t.test('a key column resolves to the file, also when named like the key table', async (t) => {
  const page = await readResultPage(file, { limit: 10, offset: 0 }, {}, { keys: { columns: ['k0'], keys: [['shadow-3']] } })
  t.equal(page.totalCount, rows.filter((r) => r.k0 === 'shadow-3').length)
})

t.test('a key set that is too large, of the wrong width or on an unknown column is refused with its code', async (t) => {
  const many = Array.from({ length: MAX_RESULT_KEYS + 1 }, (_, i) => [String(i)])
  t.equal(await code(readResultPage(file, { limit: 1, offset: 0 }, {}, { keys: { columns: ['id'], keys: many } })), 'ENGINE_RESULT_FILTER_INVALID')
  t.equal(await code(readResultPage(file, { limit: 1, offset: 0 }, {}, { keys: { columns: COLUMNS, keys: [['1']] } })), 'ENGINE_RESULT_FILTER_INVALID')
  t.equal(await code(readResultPage(file, { limit: 1, offset: 0 }, {}, { keys: { columns: ['nope'], keys: [['1']] } })), 'ENGINE_RESULT_COLUMN_UNKNOWN')
  const quoted = await readResultPage(file, { limit: 1, offset: 0 }, {}, { keys: { columns: ['label'], keys: [["' OR 1=1 --"]] } })
  t.equal(quoted.totalCount, 0, 'a key is only a value')
})
