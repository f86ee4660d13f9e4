import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import type { RunProgress } from '@kalla/proto'
import { isEngineError, runJob } from '../src/index.ts'
import { fileJob, INVOICES_CSV, PAYMENTS_CSV, readRows, tempDir, writeText } from './fixtures.ts'

async function bigFiles (dir: string, rows: number): Promise<{ left: string, right: string }> {
  const lines = (prefix: string, ref: boolean): string => {
    const out: string[] = [ref ? 'payment_id,reference_number,paid_amount,payment_date' : 'invoice_id,customer,amount,invoice_date']
    for (let i = 0; i < rows; i++) out.push(ref ? `P${i},INV-${i},${(i % 997) + 0.01},2024-02-01` : `INV-${i},C${i % 50},${i % 997}.00,2024-01-01`)
    return out.join('\n') + '\n'
  }
  return { left: await writeText(dir, 'inv.csv', lines('INV', false)), right: await writeText(dir, 'pay.csv', lines('P', true)) }
}

t.test('a run reports every stage in order with counts, and writes readable results', async (t) => {
  const dir = await tempDir(t)
  const events: RunProgress[] = []
  const job = fileJob(dir, await writeText(dir, 'inv.csv', INVOICES_CSV), await writeText(dir, 'pay.csv', PAYMENTS_CSV))
  const done = await runJob(job, { onProgress: (p) => events.push(p) })
  const stages = [...new Set(events.map((e) => e.stage))]
  t.same(stages, ['staging', 'matching', 'writing_results'])
  t.same([...new Set(events.filter((e) => e.stage === 'staging').map((e) => e.source))], ['invoices', 'payments'])
  t.ok(events.every((e) => e.run_id === 'test-run' && e.progress >= 0 && e.progress <= 1))
  t.equal(events.at(-1)?.matched_count, 2)
  t.same([done.total_left, done.total_right, done.matched_count, done.matched_left, done.matched_right], [4, 4, 2, 2, 2])
  t.equal(done.matched_left + done.unmatched_left_count, done.total_left)
  t.equal(done.matched_right + done.unmatched_right_count, done.total_right)
  t.same((await readRows(done.outputs.unmatched_left, 'invoice_id')).map((r) => r.invoice_id), ['INV-2', 'INV-4'])
  t.same((await readRows(done.outputs.unmatched_right, 'payment_id')).map((r) => r.payment_id), ['P2', 'P4'])
  t.same(await readRows(done.outputs.unmatched_right, 'paid_amount::VARCHAR AS a', 'a'), [{ a: '250.53' }, { a: '5.00' }], 'full source rows, exact amounts')
  const summary = JSON.parse(await readFile(done.outputs.summary, 'utf8'))
  t.equal(summary.matched_count, 2)
  t.same(summary.sources.map((s: { alias: string, rows: number }) => [s.alias, s.rows]), [['invoices', 4], ['payments', 4]])
  t.notMatch(JSON.stringify(summary), /inv\.csv|pay\.csv/, 'the summary names no input locations')
})

t.test('a long staging step reports progress at least twice a second', async (t) => {
  const dir = await tempDir(t)
  const { left, right } = await bigFiles(dir, 1_500_000)
  const times: number[] = []
  const done = await runJob(fileJob(dir, left, right), { threads: 1, onProgress: (p) => { if (p.stage === 'staging') times.push(performance.now()) } })
  t.equal(done.matched_count, 1_500_000)
  const gaps = times.slice(1).map((x, i) => x - times[i]!)
  t.ok(times.length >= 3, `staging reported ${times.length} times`)
  t.ok(Math.max(...gaps) < 1000, `largest gap between staging reports ${Math.round(Math.max(...gaps))} ms`)
})

t.test('cancelling a run interrupts DuckDB and leaves no result files', async (t) => {
  const dir = await tempDir(t)
  const { left, right } = await bigFiles(dir, 300_000)
  const controller = new AbortController()
  const job = fileJob(dir, left, right, { match_sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i, payments p WHERE i.amount + p.paid_amount > 0' })
  const run = runJob(job, { signal: controller.signal, onProgress: (p) => { if (p.stage === 'matching' && p.progress > 0) controller.abort() } })
  const error = await run.then(() => undefined, (e: unknown) => e)
  t.equal(isEngineError(error) ? error.code : error, 'ENGINE_CANCELLED')
  t.same(await readdir(join(dir, 'out')), [], 'no partial or final results')
})

t.test('a run that exceeds its time limit stops with a timeout', async (t) => {
  const dir = await tempDir(t)
  const { left, right } = await bigFiles(dir, 300_000)
  const job = fileJob(dir, left, right, { match_sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i, payments p WHERE i.amount + p.paid_amount > 0' })
  const error = await runJob(job, { timeoutMs: 1500 }).then(() => undefined, (e: unknown) => e)
  t.equal(isEngineError(error) ? error.code : error, 'ENGINE_TIMEOUT')
})

t.test('a job without a left side is refused before any work', async (t) => {
  const dir = await tempDir(t)
  const job = fileJob(dir, 'a.csv', 'b.csv')
  job.sources[0]!.side = 'right'
  const error = await runJob(job).then(() => undefined, (e: unknown) => e)
  t.equal(isEngineError(error) ? error.code : error, 'ENGINE_JOB_INVALID')
})

t.test('memory beyond the limit spills to disk instead of failing', async (t) => {
  const dir = await tempDir(t)
  const { left, right } = await bigFiles(dir, 600_000)
  const done = await runJob(fileJob(dir, left, right), { memoryLimit: '64MB', threads: 1 })
  t.equal(done.matched_count, 600_000)
  t.equal(done.unmatched_left_count, 0)
})
