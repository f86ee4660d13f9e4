import { readFile } from 'node:fs/promises'
import t from 'tap'
import type { RunProgress } from '@kalla/proto'
import { runJob } from '../src/index.ts'
import { fileJob, INVOICES_CSV, readRows, tempDir, writeText } from './fixtures.ts'
import { PAYMENTS, PAYMENTS_MAPPING, standIn } from './elasticsearch/es-fixtures.ts'

t.test('an index is read over many pages with exact types: scaled_float and keyword amounts as DECIMAL, long as BIGINT, dates in their formats', async (t) => {
  const es = await standIn(t)
  es.addIndex('payments', PAYMENTS_MAPPING, PAYMENTS)
  const dir = await tempDir(t)
  const events: RunProgress[] = []
  const job = fileJob(dir, await writeText(dir, 'inv.csv', INVOICES_CSV), '', {}, [{}, { type: 'elasticsearch', uri: `${es.url}/payments?page_size=1` }])
  const done = await runJob(job, { onProgress: (p) => events.push(p) })
  t.same([done.total_right, done.matched_count, done.unmatched_right_count], [4, 2, 2])
  t.ok(events.some((e) => e.source === 'payments' && e.stage === 'staging'), 'reports staging progress for the index')
  t.equal(es.requests.filter((r) => r === 'POST /_search').length, 5, 'four pages of one document, and the empty page that ends the read')
  t.same(es.openPits(), [], 'the point in time is closed')
  const summary = JSON.parse(await readFile(done.outputs.summary, 'utf8'))
  const types = Object.fromEntries(summary.sources[1].columns.map((c: { name: string, type: string }) => [c.name, c.type]))
  t.same(types, {
    _id: 'VARCHAR',
    attempts: 'BIGINT',
    booked_on: 'DATE',
    'customer.country': 'VARCHAR',
    'customer.name': 'VARCHAR',
    fee: 'DECIMAL(38,3)',
    paid_amount: 'DECIMAL(38,2)',
    payment_id: 'VARCHAR',
    rate: 'DOUBLE',
    reference_number: 'VARCHAR',
    settled: 'BOOLEAN',
    settled_at: 'TIMESTAMP WITH TIME ZONE',
    value_date: 'DATE'
  })
  const rows = await readRows(done.outputs.unmatched_right, "_id, paid_amount::VARCHAR AS paid, fee::VARCHAR AS fee, attempts::VARCHAR AS attempts, strftime(settled_at, '%Y-%m-%dT%H:%M:%S') AS settled_at, value_date::VARCHAR AS value_date, \"customer.name\" AS name, \"customer.country\" AS country, settled", '_id')
  t.same(rows, [
    { _id: 'P2', paid: '12345678901234567.89', fee: '0.100', attempts: '-9223372036854775808', settled_at: '2024-01-05T08:00:00', value_date: '2024-01-06', name: 'Bo', country: 'FR', settled: false },
    { _id: 'P4', paid: '5.00', fee: null, attempts: null, settled_at: null, value_date: null, name: null, country: null, settled: null }
  ])
  const matched = await readRows(done.outputs.matched, 'payment_id', 'payment_id')
  t.same(matched.map((r) => r.payment_id), ['P1', 'P3'])
})
