import t from 'tap'
import { ResolveSource } from '@kalla/proto'
import { CodedError, sourceAccess } from '@kalla/service'
import { startBigQueryServer } from '@kalla/testing'
import { INVOICES, job, MATCH_SQL, PAYMENTS, PAYMENTS_KEY, putInputs, RESOLVE_KEY, startMatcher, type Harness } from './helpers.ts'

const server = await startBigQueryServer({ pageRows: 2 })
t.teardown(server.close)
const FIELDS = [{ name: 'invoice_id', type: 'STRING', mode: 'REQUIRED' }, { name: 'amount', type: 'NUMERIC', precision: '12', scale: '2' }]
server.addTable('erp', 'invoices', { schema: FIELDS, rows: INVOICES.map((i) => [i.invoice_id, i.amount]) })
server.addTable('erp', 'payroll', { schema: FIELDS, rows: [], forbidden: true })
const keyLine = server.credentials.private_key.split('\n')[1]!
const encodedKey = new URL(server.uri({ dataset: 'erp', table: 'invoices' })).searchParams.get('credentials')!

/** A stand-in sources service answering ResolveSource for registered BigQuery sources, sealed as the real one does. */
async function serveSources (h: Harness, sources: Record<string, string>): Promise<void> {
  const access = sourceAccess(Buffer.from(RESOLVE_KEY, 'hex'))
  await h.bus.serve(ResolveSource, (request) => {
    if (!access.verify(request)) throw new CodedError('SOURCES_RESOLVE_FORBIDDEN', 'not proven', { statusCode: 403 })
    const uri = sources[request.alias]
    if (uri === undefined) throw new CodedError('SOURCES_NOT_FOUND', `There is no registered source "${request.alias}".`, { statusCode: 404 })
    return access.seal(request, { alias: request.alias, type: 'bigquery', uri })
  }, { queue: 'sources' })
}

const bigQueryJob = (alias: string) => job({
  match_sql: MATCH_SQL,
  sources: [
    { alias: 'invoices', side: 'left', type: 'bigquery', uri: `source:${alias}` },
    { alias: 'payments', side: 'right', type: 'file', uri: PAYMENTS_KEY, format: 'csv' }
  ]
})

t.test('a job naming a registered BigQuery source reads it when it runs, and no event carries its key', async (t) => {
  const h = await startMatcher(t)
  await putInputs(h.storage)
  await serveSources(h, { ledger: server.uri({ dataset: 'erp', table: 'invoices' }), payroll: server.uri({ dataset: 'erp', table: 'payroll' }) })
  const ok = bigQueryJob('ledger')
  await h.publish(ok)
  const completed = await h.next(ok.run_id, 'completed', 30_000)
  // Same reference and amounts within 2 cents, in integer cents: I1-P1, I2-P2 and I4-P5.
  const cents = (v: string): number => Number(v.replace('.', ''))
  const pairs = INVOICES.flatMap((i) => PAYMENTS.filter((p) => p.reference_number === i.invoice_id && Math.abs(cents(i.amount) - cents(p.paid_amount)) <= 2))
  t.equal(completed.matched_count, pairs.length)
  t.equal(completed.total_left, INVOICES.length)

  const denied = bigQueryJob('payroll')
  await h.publish(denied)
  const failed = await h.next(denied.run_id, 'failed', 30_000)
  t.equal(failed.code, 'ENGINE_SOURCE_AUTH_FAILED')
  t.match(failed.message, /the service account may not read the table erp\.payroll/)
  const events = JSON.stringify(h.events)
  t.notOk(events.includes(keyLine) || events.includes(encodedKey), 'no event carries the key')
})
