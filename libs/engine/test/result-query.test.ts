import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import t from 'tap'
import { readResultPage, runJob } from '../src/index.ts'
import type { EngineError } from '../src/errors.ts'
import { fileJob, tempDir, writeText } from './fixtures.ts'

// 1,200 invoices none of which match, so unmatched_left holds them all in file order; the expected
// pages are computed here from the generated rows, amounts in integer cents.
interface Invoice { id: string, customer: string, cents: bigint }
const CUSTOMERS = ['Acme Ltd', 'Globex', "O'Brien & Sons", 'acme trading', 'Initech']
const invoices: Invoice[] = []
let seed = 7
for (let i = 1; i <= 1200; i++) {
  seed = (seed * 1103515245 + 12345) % 2147483648
  invoices.push({ id: `INV-${i}`, customer: CUSTOMERS[seed % CUSTOMERS.length] ?? '', cents: BigInt(seed % 100_000) })
}
const money = (cents: bigint): string => `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`
const cents = (text: unknown): bigint => BigInt(String(text).replace('.', ''))
const csv = 'invoice_id,customer,amount,invoice_date\n' + invoices.map((v) => `${v.id},"${v.customer}",${money(v.cents)},2024-01-01`).join('\n') + '\n'

const dir = await tempDir(t)
const done = await runJob(fileJob(dir, await writeText(dir, 'inv.csv', csv), await writeText(dir, 'pay.csv', 'payment_id,reference_number,paid_amount,payment_date\nP1,NONE,1.00,2024-01-05\n')))
const file = done.outputs.unmatched_left

async function allRows (query: Parameters<typeof readResultPage>[3]): Promise<{ rows: Record<string, unknown>[], totals: number[] }> {
  const rows: Record<string, unknown>[] = []
  const totals: number[] = []
  for (let offset = 0; ; offset += 500) {
    const page = await readResultPage(file, { limit: 500, offset }, {}, query)
    totals.push(page.totalCount)
    rows.push(...page.rows)
    if (page.rows.length < 500) return { rows, totals }
  }
}

async function code (promise: Promise<unknown>): Promise<string | undefined> {
  try { await promise } catch (error) { return (error as EngineError).code }
  return undefined
}

t.test('sorting by amount descending pages through every row in that order, ties in file order', async (t) => {
  const expected = [...invoices].sort((a, b) => (a.cents === b.cents ? 0 : a.cents < b.cents ? 1 : -1)).map((v) => v.id)
  const { rows, totals } = await allRows({ sort: { column: 'AMOUNT', descending: true } })
  t.same(rows.map((r) => r.invoice_id), expected)
  t.same(new Set(totals), new Set([1200]))
  const ascending = await readResultPage(file, { limit: 3, offset: 0 }, {}, { sort: { column: 'amount' } })
  t.same(ascending.rows.map((r) => r.invoice_id), [...invoices].sort((a, b) => (a.cents === b.cents ? 0 : a.cents < b.cents ? -1 : 1)).slice(0, 3).map((v) => v.id))
})

t.test('contains ignores case, a range is inclusive, and the count and exact total follow the filters', async (t) => {
  const low = 10_000n
  const high = 50_000n
  const expected = invoices.filter((v) => v.customer.toLowerCase().includes('acme') && v.cents >= low && v.cents <= high)
  const { rows, totals } = await allRows({ filters: [{ column: 'customer', contains: 'ACME' }, { column: 'amount', min: money(low), max: money(high) }] })
  t.ok(expected.length > 100, 'the filter keeps more than a page')
  t.same(rows.map((r) => r.invoice_id), expected.map((v) => v.id), 'in file order when unsorted')
  t.equal(totals[0], expected.length)
  t.equal(rows.reduce((sum, r) => sum + cents(r.amount), 0n), expected.reduce((sum, v) => sum + v.cents, 0n))
})

t.test('equals matches one value exactly; a value with quotes is only a value', async (t) => {
  const one = await readResultPage(file, { limit: 10, offset: 0 }, {}, { filters: [{ column: 'invoice_id', equals: 'INV-77' }] })
  t.same([one.totalCount, one.rows[0]?.amount], [1, money(invoices[76]?.cents ?? 0n)])
  const quoted = await readResultPage(file, { limit: 0, offset: 0 }, {}, { filters: [{ column: 'customer', equals: "O'Brien & Sons" }] })
  t.equal(quoted.totalCount, invoices.filter((v) => v.customer === "O'Brien & Sons").length)
  const injected = await readResultPage(file, { limit: 0, offset: 0 }, {}, { filters: [{ column: 'customer', contains: "' OR 1=1 --" }] })
  t.equal(injected.totalCount, 0)
})

t.test('unknown columns, empty filters and values that do not fit are refused with their codes', async (t) => {
  t.equal(await code(readResultPage(file, { limit: 1, offset: 0 }, {}, { sort: { column: 'amount" DESC; --' } })), 'ENGINE_RESULT_COLUMN_UNKNOWN')
  t.equal(await code(readResultPage(file, { limit: 1, offset: 0 }, {}, { filters: [{ column: 'nope', equals: '1' }] })), 'ENGINE_RESULT_COLUMN_UNKNOWN')
  t.equal(await code(readResultPage(file, { limit: 1, offset: 0 }, {}, { sort: { column: 'file_row_number' } })), 'ENGINE_RESULT_COLUMN_UNKNOWN')
  t.equal(await code(readResultPage(file, { limit: 1, offset: 0 }, {}, { filters: [{ column: 'amount' }] })), 'ENGINE_RESULT_FILTER_INVALID')
  t.equal(await code(readResultPage(file, { limit: 1, offset: 0 }, {}, { filters: [{ column: 'amount', min: 'lots' }] })), 'ENGINE_RESULT_FILTER_INVALID')
})

t.test('a result with its own file_row_number column still sorts with ties in file order', async (t) => {
  const path = join(dir, 'own-row-number.parquet')
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  await connection.run(`COPY (SELECT 100 - range AS file_row_number, range % 3 AS v FROM range(9)) TO '${path}'`)
  connection.closeSync()
  instance.closeSync()
  const page = await readResultPage(path, { limit: 9, offset: 0 }, {}, { sort: { column: 'v', descending: true } })
  t.same(page.rows.map((r) => [r.v, r.file_row_number]), [[2, 98], [2, 95], [2, 92], [1, 99], [1, 96], [1, 93], [0, 100], [0, 97], [0, 94]])
  t.same(page.columns.map((c) => c.name), ['file_row_number', 'v'])
})
