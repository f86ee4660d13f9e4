import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { runJob } from '@kalla/engine'
import type { Run } from '@kalla/proto'
import { errorCode, graphql, graphqlOk } from '@kalla/testing'
import { completed, outputs } from './fixtures.ts'
import { serveGetRun, startGateway } from './harness.ts'

// A real run where invoice i is paid in (i % 3) + 1 parts: runResults sorts and filters its matched rows,
// checked against the generated payments, amounts in integer cents.
const { bus, storage, url } = await startGateway(t)
const work = await mkdtemp(join(tmpdir(), 'kalla-result-query-'))
t.teardown(() => rm(work, { recursive: true, force: true }))

interface Payment { id: string, invoice: string, cents: bigint }
const payments: Payment[] = []
for (let i = 1; i <= 40; i++) {
  for (let part = 0; part <= i % 3; part++) payments.push({ id: `P${i}-${part}`, invoice: `INV-${i}`, cents: BigInt((i * 7919 + part * 104729) % 50_000) })
}
const money = (cents: bigint): string => `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`
const cents = (text: unknown): bigint => BigInt(String(text).replace('.', ''))
await writeFile(join(work, 'inv.csv'), 'invoice_id,customer\n' + Array.from({ length: 40 }, (_, i) => `INV-${i + 1},C${i % 4}`).join('\n') + '\n')
await writeFile(join(work, 'pay.csv'), 'payment_id,reference_number,paid_amount\n' + payments.map((p) => `${p.id},${p.invoice},${money(p.cents)}`).join('\n') + '\n')
const done = await runJob({
  run_id: 'run-q',
  match_sql: 'SELECT i.invoice_id, i.customer, p.payment_id, p.paid_amount FROM invoices i JOIN payments p ON p.reference_number = i.invoice_id',
  sources: [
    { alias: 'invoices', side: 'left', type: 'file', uri: join(work, 'inv.csv') },
    { alias: 'payments', side: 'right', type: 'file', uri: join(work, 'pay.csv') }
  ],
  primary_keys: { invoices: ['invoice_id'], payments: ['payment_id'] },
  output_path: join(work, 'out')
}, { threads: 1 })
const keys = outputs('run-q')
for (const kind of ['matched', 'unmatched_left', 'unmatched_right'] as const) await storage.upload(done.outputs[kind], keys[kind])
await serveGetRun(bus, new Map<string, Run>([['run-q', completed('run-q', 'r1')]]))

const PAGE = 'query ($sort: ResultSort, $filters: [ResultFilter!], $limit: Int, $offset: Int) { runResults(runId: "run-q", kind: MATCHED, limit: $limit, offset: $offset, sort: $sort, filters: $filters) { totalCount rows } }'
type Page = { runResults: { totalCount: number, rows: Array<Record<string, unknown>> } }

t.test('a matched group is the rows sharing its left key, sorted by the amount paid', async (t) => {
  const group = payments.filter((p) => p.invoice === 'INV-14').sort((a, b) => (a.cents === b.cents ? 0 : a.cents < b.cents ? 1 : -1))
  const data = await graphqlOk<Page>(url, PAGE, { filters: [{ column: 'invoice_id', equals: 'INV-14' }], sort: { column: 'paid_amount', direction: 'DESC' } })
  t.equal(data.runResults.totalCount, 3)
  t.same(data.runResults.rows.map((r) => [r.payment_id, r.paid_amount]), group.map((p) => [p.id, money(p.cents)]))
})

t.test('pages of a sorted, filtered result hold every passing row once, and the count and total follow the filter', async (t) => {
  const low = 10_000n
  const expected = payments.filter((p) => p.cents >= low && p.id.endsWith('-0')).sort((a, b) => (a.cents === b.cents ? 0 : a.cents < b.cents ? -1 : 1))
  const filters = [{ column: 'paid_amount', min: money(low) }, { column: 'payment_id', contains: '-0' }]
  const seen: Array<Record<string, unknown>> = []
  for (let offset = 0; offset < expected.length; offset += 7) {
    const data = await graphqlOk<Page>(url, PAGE, { filters, sort: { column: 'paid_amount' }, limit: 7, offset })
    t.equal(data.runResults.totalCount, expected.length)
    seen.push(...data.runResults.rows)
  }
  t.same(seen.map((r) => r.payment_id), expected.map((p) => p.id))
  t.equal(seen.reduce((sum, r) => sum + cents(r.paid_amount), 0n), expected.reduce((sum, p) => sum + p.cents, 0n))
})

t.test('an unknown column and a value that does not fit are refused with their codes and say what to fix', async (t) => {
  const unknown = await graphql(url, PAGE, { sort: { column: 'amount' } })
  t.equal(errorCode(unknown.errors), 'GATEWAY_RESULT_COLUMN_UNKNOWN')
  t.match(unknown.errors?.[0]?.message, /no column "amount".*invoice_id, customer, payment_id, paid_amount/)
  t.equal(errorCode((await graphql(url, PAGE, { filters: [{ column: 'paid_amount', max: 'a lot' }] })).errors), 'GATEWAY_RESULT_FILTER_INVALID')
  t.equal(errorCode((await graphql(url, PAGE, { filters: [{ column: 'paid_amount' }] })).errors), 'GATEWAY_RESULT_FILTER_INVALID')
})
