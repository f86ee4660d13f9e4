import t from 'tap'
import { engineLimits, loadMatcherConfig } from '../src/config.ts'
import { RESOLVE_KEY, SLOW_SQL, job, putInputs, startMatcher, waitFor } from './helpers.ts'

// Multiplies the sources' rows by 10^12: it would spill without end.
const RUNAWAY_SQL = 'SELECT i.invoice_id, p.payment_id, a.range AS x FROM invoices i, payments p, range(1000000) a, range(1000000) b'

t.test('every job gets a one-hour time limit and a spill limit unless configured otherwise', async (t) => {
  const limits = engineLimits(loadMatcherConfig({ KALLA_RESOLVE_KEY: RESOLVE_KEY }))
  t.equal(limits.timeoutMs, 3_600_000)
  t.equal(limits.maxTempDirectorySize, '100GB', 'capped by the engine to half the free disk when a job starts')
  t.equal(limits.maxMatchedRows, 0, 'no row limit')
  t.equal(limits.maxOutputBytes, 0, 'no output size limit')
  const set = engineLimits(loadMatcherConfig({ KALLA_RESOLVE_KEY: RESOLVE_KEY, ENGINE_TIMEOUT_S: '0', ENGINE_MAX_SPILL: '20GB', ENGINE_MAX_MATCHED_ROWS: '1000000', ENGINE_MAX_OUTPUT_SIZE: '2GiB' }))
  t.same([set.timeoutMs, set.maxTempDirectorySize, set.maxMatchedRows, set.maxOutputBytes], [0, '20GB', 1_000_000, 2 * 2 ** 30])
  t.throws(() => loadMatcherConfig({ KALLA_RESOLVE_KEY: RESOLVE_KEY, ENGINE_MAX_SPILL: 'lots' }), 'a spill limit must be a size')
})

t.test('a runaway match fails with ENGINE_SPILL_LIMIT at the configured spill limit and leaves no work directory', async (t) => {
  const h = await startMatcher(t, { ENGINE_MAX_SPILL: '16MB', ENGINE_MEMORY_LIMIT: '64MB' })
  await putInputs(h.storage)
  const j = job({ match_sql: RUNAWAY_SQL })
  await h.publish(j)
  const failed = await h.next(j.run_id, 'failed', 120_000)
  t.equal(failed.code, 'ENGINE_SPILL_LIMIT')
  t.equal(failed.stage, 'matching')
  t.match(failed.message, /ENGINE_MAX_SPILL/)
  t.same(await waitFor(async () => (await h.workEntries()).length === 0 ? [] : undefined, 60_000), [], 'the work directory is removed')
})

t.test('a job past ENGINE_TIMEOUT_S fails with ENGINE_TIMEOUT, once, without retries', async (t) => {
  const h = await startMatcher(t, { ENGINE_TIMEOUT_S: '2' })
  await putInputs(h.storage)
  const j = job({ match_sql: SLOW_SQL })
  await h.publish(j)
  const failed = await h.next(j.run_id, 'failed', 120_000)
  t.equal(failed.code, 'ENGINE_TIMEOUT')
  t.match(failed.message, /ENGINE_TIMEOUT_S/)
  t.equal(h.eventsOf(j.run_id).filter((e) => e.type === 'failed').length, 1)
  t.same(await waitFor(async () => (await h.workEntries()).length === 0 ? [] : undefined, 60_000), [], 'the work directory is removed')
})
