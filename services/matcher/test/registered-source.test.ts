import { randomBytes } from 'node:crypto'
import t, { type Test } from 'tap'
import pg from 'pg'
import { ResolveSource } from '@kalla/proto'
import { CodedError, sourceAccess } from '@kalla/service'
import { INVOICES, job, MATCH_SQL, PAYMENTS, PAYMENTS_KEY, putInputs, RESOLVE_KEY, startMatcher, type Harness } from './helpers.ts'

const PG_URL = process.env.KALLA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
// Local trust authentication ignores it, so the source opens while its URI carries a password to follow.
const PASSWORD = `Pw-${randomBytes(12).toString('base64url')}`

/** The invoices in a table of their own, and the URI the sources service would hold for them. */
async function invoicesTable (t: Test): Promise<string> {
  const table = `matcher_invoices_${randomBytes(5).toString('hex')}`
  const admin = new pg.Client({ connectionString: PG_URL })
  await admin.connect()
  await admin.query(`CREATE TABLE ${table} (invoice_id text PRIMARY KEY, amount numeric(12,2))`)
  for (const i of INVOICES) await admin.query(`INSERT INTO ${table} VALUES ($1, $2)`, [i.invoice_id, i.amount])
  await admin.end()
  t.teardown(async () => {
    const c = new pg.Client({ connectionString: PG_URL })
    await c.connect()
    await c.query(`DROP TABLE ${table}`)
    await c.end()
  })
  const url = new URL(PG_URL)
  url.password = PASSWORD
  url.searchParams.set('table', table)
  return url.toString()
}

/** A stand-in sources service answering ResolveSource as the real one does: proven requests only, sealed. */
async function serveSources (h: Harness, sources: Record<string, string>, key = RESOLVE_KEY): Promise<string[]> {
  const access = sourceAccess(Buffer.from(key, 'hex'))
  const asked: string[] = []
  await h.bus.serve(ResolveSource, (request) => {
    asked.push(request.alias)
    if (!access.verify(request)) throw new CodedError('SOURCES_RESOLVE_FORBIDDEN', 'not proven', { statusCode: 403 })
    const uri = sources[request.alias]
    if (uri === undefined) throw new CodedError('SOURCES_NOT_FOUND', `There is no registered source "${request.alias}".`, { statusCode: 404 })
    return access.seal(request, { alias: request.alias, type: 'postgres', uri })
  }, { queue: 'sources' })
  return asked
}

const registeredJob = (reference: string) => job({
  match_sql: MATCH_SQL,
  sources: [
    { alias: 'invoices', side: 'left', type: 'postgres', uri: reference },
    { alias: 'payments', side: 'right', type: 'file', uri: PAYMENTS_KEY, format: 'csv' }
  ]
})

t.test('a job naming a registered source resolves it when it runs and matches its rows', async (t) => {
  const h = await startMatcher(t)
  await putInputs(h.storage)
  const asked = await serveSources(h, { erp: await invoicesTable(t) })
  const j = registeredJob('source:erp')
  await h.publish(j)
  const completed = await h.next(j.run_id, 'completed', 20_000)
  // Same reference and amounts within 2 cents: I1-P1, I2-P2 and I4-P5; I3 (75.25 vs 80.00) and P4 (I9) match nothing.
  const pairs = INVOICES.flatMap((i) => PAYMENTS.filter((p) => p.reference_number === i.invoice_id && Math.abs(Math.round(Number(i.amount) * 100) - Math.round(Number(p.paid_amount) * 100)) <= 2))
  t.equal(completed.matched_count, pairs.length)
  t.equal(completed.unmatched_left_count, INVOICES.length - pairs.length)
  t.same(asked, ['erp'], 'the source was resolved once, by the matcher')
  t.notMatch(JSON.stringify(h.eventsOf(j.run_id)), PASSWORD, 'no event carries the password')
})

t.test('a key that differs, or a registered source that is gone, fails the run with a code and no credential', async (t) => {
  const h = await startMatcher(t)
  await putInputs(h.storage)
  await serveSources(h, { erp: await invoicesTable(t) }, randomBytes(32).toString('hex'))
  const denied = registeredJob('source:erp')
  await h.publish(denied)
  const failed = await h.next(denied.run_id, 'failed', 20_000)
  t.equal(failed.code, 'MATCHER_SOURCE_ACCESS_DENIED')
  t.match(failed.message, /KALLA_RESOLVE_KEY differs/)
  t.notMatch(JSON.stringify(h.events), PASSWORD)

  const other = await startMatcher(t)
  await putInputs(other.storage)
  await serveSources(other, {})
  const gone = registeredJob('source:nowhere')
  await other.publish(gone)
  const missing = await other.next(gone.run_id, 'failed', 20_000)
  t.equal(missing.code, 'MATCHER_SOURCE_NOT_FOUND')
  t.match(missing.message, /The registered source nowhere of invoices no longer exists/)
})
