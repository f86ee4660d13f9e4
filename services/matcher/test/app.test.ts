import { join } from 'node:path'
import t from 'tap'
import { readResultPage } from '@kalla/engine'
import { MATCHER_CONSUMER, MatchJobs, RunEvents, type RunEvent } from '@kalla/proto'
import { INVOICES, PAYMENTS, SLOW_SQL, job, putInputs, sleep, startMatcher, waitFor } from './helpers.ts'

const cents = (amount: string): number => Number(amount.replace('.', ''))

/** The expected reconciliation, worked out from the rows themselves: same reference, amounts within 2 cents. */
function expected (): { counts: Record<string, number>, unmatchedLeft: string[], unmatchedRight: string[] } {
  const pairs = INVOICES.flatMap((i) => PAYMENTS
    .filter((p) => p.reference_number === i.invoice_id && Math.abs(cents(i.amount) - cents(p.paid_amount)) <= 2)
    .map((p) => [i.invoice_id, p.payment_id] as const))
  const left = new Set(pairs.map(([i]) => i))
  const right = new Set(pairs.map(([, p]) => p))
  return {
    counts: {
      matched_count: pairs.length,
      matched_left: left.size,
      matched_right: right.size,
      unmatched_left_count: INVOICES.length - left.size,
      unmatched_right_count: PAYMENTS.length - right.size,
      total_left: INVOICES.length,
      total_right: PAYMENTS.length
    },
    unmatchedLeft: INVOICES.map((i) => i.invoice_id).filter((id) => !left.has(id)),
    unmatchedRight: PAYMENTS.map((p) => p.payment_id).filter((id) => !right.has(id))
  }
}

async function storedKeys (storage: { list: (prefix: string) => AsyncIterable<string> }, prefix: string): Promise<string[]> {
  const keys: string[] = []
  for await (const key of storage.list(prefix)) keys.push(key)
  return keys
}

const lag = async (bus: { queueLag: (topic: typeof MatchJobs, durable: string) => Promise<number> }): Promise<number> => await bus.queueLag(MatchJobs, MATCHER_CONSUMER.durable)

t.test('a job over two uploaded CSV files reports progress, stores four results and completes with the right counts', async (t) => {
  const h = await startMatcher(t)
  await putInputs(h.storage)
  const j = job()
  await h.publish(j)
  const completed = await h.next(j.run_id, 'completed')
  const want = expected()
  t.same(Object.fromEntries(Object.keys(want.counts).map((k) => [k, completed[k as keyof typeof completed]])), want.counts)
  t.same(completed.outputs, {
    matched: `results/${j.run_id}/matched.parquet`,
    unmatched_left: `results/${j.run_id}/unmatched_left.parquet`,
    unmatched_right: `results/${j.run_id}/unmatched_right.parquet`,
    summary: `results/${j.run_id}/summary.json`
  }, 'the completion names storage keys, not the matcher\'s local paths')
  t.same((await storedKeys(h.storage, `results/${j.run_id}/`)).sort(), Object.values(completed.outputs).sort())

  const events = h.eventsOf(j.run_id)
  const progress = events.filter((e) => e.type === 'progress')
  t.same([...new Set(progress.map((e) => e.stage))], ['staging', 'matching', 'writing_results'], 'progress covers every stage, in order')
  t.same([...new Set(progress.filter((e) => e.stage === 'staging').map((e) => e.source))], ['invoices', 'payments'])
  t.equal(events.at(-1)?.type, 'completed', 'no progress arrives after the completion')
  const pages = events.flatMap((e) => e.type === 'unmatched_keys' ? [e] : [])
  t.same(pages.filter((e) => e.side === 'left').flatMap((e) => e.keys.map((k) => k[0])), want.unmatchedLeft, 'the unmatched invoices\' keys are published, for their ages')
  t.same(pages.filter((e) => e.side === 'right').flatMap((e) => e.keys.map((k) => k[0])).sort(), want.unmatchedRight)

  const unmatchedLeft = await readResultPage(join(h.root, completed.outputs.unmatched_left), { limit: 10, offset: 0 })
  const unmatchedRight = await readResultPage(join(h.root, completed.outputs.unmatched_right), { limit: 10, offset: 0 })
  t.same(unmatchedLeft.rows.map((r) => r.invoice_id), want.unmatchedLeft)
  t.same(unmatchedRight.rows.map((r) => r.payment_id).sort(), want.unmatchedRight)
  await waitFor(async () => (await lag(h.bus)) === 0 ? true : undefined, 2000)
  t.same(await h.workEntries(), [], 'the job\'s work directory is removed')
})

t.test('a redelivered job whose results are stored is not run again; its completion is published again', async (t) => {
  const first = await startMatcher(t)
  await putInputs(first.storage)
  const j = job()
  await first.publish(j)
  const original = await first.next(j.run_id, 'completed')
  const stats = await Promise.all(Object.values(original.outputs).map(async (key) => (await first.storage.stat(key))?.modifiedAt.getTime()))

  // A second matcher (its own event stream, the same storage) receives the job again.
  const second = await startMatcher(t, {}, { root: first.root })
  await second.publish(j)
  const again = await second.next(j.run_id, 'completed')
  t.same(again, original, 'the completion is rebuilt from the stored summary')
  t.equal(second.eventsOf(j.run_id).filter((e) => e.type === 'progress').length, 0, 'the engine did not run')
  const after = await Promise.all(Object.values(original.outputs).map(async (key) => (await second.storage.stat(key))?.modifiedAt.getTime()))
  t.same(after, stats, 'the stored results were not rewritten')
  const metrics = await second.app.inject({ method: 'GET', url: '/metrics' })
  t.match(metrics.body, /kalla_matcher_jobs_total\{[^}]*outcome="already_completed"[^}]*\} 1/)
  t.equal(await lag(second.bus), 0, 'the job is acknowledged')
})

t.test('match SQL that does not parse fails the run with an ENGINE_SQL_ code and the job is not redelivered', async (t) => {
  const h = await startMatcher(t)
  await putInputs(h.storage)
  const j = job({ match_sql: 'SELEC i.invoice_id FROM invoices i JOIN payments p ON true' })
  await h.publish(j)
  const failed = await h.next(j.run_id, 'failed')
  t.match(failed.code, /^ENGINE_SQL_/)
  t.equal(failed.stage, 'validating')
  await sleep(300)
  t.equal(h.eventsOf(j.run_id).filter((e) => e.type === 'failed').length, 1)
  t.equal(await lag(h.bus), 0, 'terminated: nothing is pending or waiting for a retry')
  t.same(await storedKeys(h.storage, `results/${j.run_id}/`), [], 'nothing is stored for a failed run')
})

t.test('a missing input object fails the run at once with MATCHER_INPUT_NOT_FOUND', async (t) => {
  const h = await startMatcher(t)
  await putInputs(h.storage)
  const base = job()
  const j = job({ sources: base.sources.map((s) => s.alias === 'payments' ? { ...s, uri: 'uploads/expired/bank.csv' } : s) })
  await h.publish(j)
  const failed = await h.next(j.run_id, 'failed')
  t.equal(failed.code, 'MATCHER_INPUT_NOT_FOUND')
  t.equal(failed.stage, 'staging')
  t.match(failed.message, /payments.*Upload the file again/)
  t.notMatch(failed.message, new RegExp(h.root), 'the message does not reveal the storage directory')
  await sleep(100)
  t.equal(await lag(h.bus), 0, 'a missing file is permanent: the job is terminated')
  t.same(await h.workEntries(), [])
})

t.test('a cancel requested before the job starts fails it with ENGINE_CANCELLED', async (t) => {
  const h = await startMatcher(t)
  await putInputs(h.storage)
  const j = job({ match_sql: SLOW_SQL })
  await h.bus.publish(RunEvents, { type: 'cancel_requested', run_id: j.run_id, at: new Date().toISOString() }, { subjectSuffix: j.run_id })
  await h.publish(j)
  const failed = await h.next(j.run_id, 'failed', 5000)
  t.equal(failed.code, 'ENGINE_CANCELLED')
  await sleep(100)
  t.equal(await lag(h.bus), 0)
  t.equal(h.bus.liveSubscriptions('KALLA_EVENTS'), 1, 'the cancellation watch ended with the job (only the test\'s own tap is left)')
})

t.test('a cancel requested while the engine runs interrupts it and fails the run with ENGINE_CANCELLED', async (t) => {
  const h = await startMatcher(t)
  await putInputs(h.storage)
  const j = job({ match_sql: SLOW_SQL })
  await h.publish(j)
  await waitFor(() => h.eventsOf(j.run_id).find((e) => e.type === 'progress' && e.stage === 'matching'))
  const asked = Date.now()
  await h.bus.publish(RunEvents, { type: 'cancel_requested', run_id: j.run_id, at: new Date().toISOString() }, { subjectSuffix: j.run_id })
  const failed = await h.next(j.run_id, 'failed', 5000)
  t.equal(failed.code, 'ENGINE_CANCELLED')
  t.equal(failed.stage, 'matching')
  t.ok(Date.now() - asked < 3000, 'DuckDB stops promptly')
  await sleep(100)
  t.equal(await lag(h.bus), 0)
  t.same(await h.workEntries(), [])
})

t.test('with concurrency 1 two jobs never run at once', async (t) => {
  const h = await startMatcher(t, { MATCHER_CONCURRENCY: '1' })
  await putInputs(h.storage)
  const jobs = [job(), job()]
  for (const j of jobs) await h.publish(j)
  await Promise.all(jobs.map((j) => h.next(j.run_id, 'completed')))
  const spans = jobs.map((j) => {
    const times = h.eventsOf(j.run_id).map((e: RunEvent) => Date.parse(e.at))
    return { start: Math.min(...times), end: Math.max(...times) }
  }).sort((a, b) => a.start - b.start)
  const [a, b] = spans
  t.ok(a !== undefined && b !== undefined && a.end <= b.start, `the second job started (${b?.start}) after the first completed (${a?.end})`)
  const runs = h.events.map((e) => e.run_id).filter((id) => jobs.some((j) => j.run_id === id))
  t.equal(runs.filter((id, i) => i > 0 && id !== runs[i - 1]).length, 1, 'in the stream, each job\'s events form one unbroken block')
})

t.test('shutdown waits for the job in flight up to the grace, then hands it back to the queue', async (t) => {
  const h = await startMatcher(t, { MATCHER_SHUTDOWN_GRACE_S: '0.3' })
  await putInputs(h.storage)
  const j = job({ match_sql: SLOW_SQL })
  await h.publish(j)
  await waitFor(() => h.eventsOf(j.run_id).find((e) => e.type === 'progress' && e.stage === 'matching'))
  const closing = Date.now()
  await h.app.close()
  const took = Date.now() - closing
  t.ok(took >= 250 && took < 5000, `close waited for the grace, then stopped the engine (${took} ms)`)
  t.equal(await lag(h.bus), 1, 'the job is back in the queue for another matcher')
  t.notOk(h.eventsOf(j.run_id).some((e) => e.type === 'failed' || e.type === 'completed'), 'a job handed back is not reported as failed')
  t.same(await h.workEntries(), [])

  // Another replica takes the job over; a cancellation already in the stream stops it before it runs.
  await h.bus.publish(RunEvents, { type: 'cancel_requested', run_id: j.run_id, at: new Date().toISOString() }, { subjectSuffix: j.run_id })
  const replica = await startMatcher(t, {}, { bus: h.bus, root: h.root })
  const failed = await replica.next(j.run_id, 'failed', 5000)
  t.equal(failed.code, 'ENGINE_CANCELLED')
})

t.test('readiness checks the bus and the storage; metrics count jobs by outcome', async (t) => {
  const h = await startMatcher(t)
  await putInputs(h.storage)
  const j = job()
  await h.publish(j)
  await h.next(j.run_id, 'completed')
  const ready = await h.app.inject({ method: 'GET', url: '/readyz' })
  t.equal(ready.statusCode, 200)
  t.same(ready.json().checks, { bus: 'ok', storage: 'ok' })
  const metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).body
  t.match(metrics, /kalla_matcher_jobs_total\{[^}]*outcome="completed"[^}]*\} 1/)
  t.match(metrics, /kalla_matcher_job_duration_seconds_count\{[^}]*outcome="completed"[^}]*\} 1/)
  t.match(metrics, /kalla_matcher_jobs_running\{[^}]*\} 0/)
  t.match(metrics, /kalla_matcher_queue_lag\{[^}]*\} \d+/)
})
