import t from 'tap'
import type { MemoryBus } from '@kalla/bus'
import { GetExceptions, GetRun, RunEvents, StartRun, type RunEvent } from '@kalla/proto'
import { now, startRunsService } from './harness.ts'

// How the runs service turns unmatched_keys events into ages: only completed runs count, a page heard
// twice counts once, and a completed run that no longer sees a record unmatched ends its age (its
// sightings are removed, so the table holds the open records only).

async function until<T> (check: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await check()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error('gave up waiting')
}

/** Starts a run, publishes its unmatched invoices as pages of two, then its completion (or a failure). */
async function run (bus: MemoryBus, invoices: string[], end: 'completed' | 'failed', repeatPage = false): Promise<string> {
  const { run_id: runId } = await bus.request(StartRun, { recipe_id: 'inv-pay', files: [{ alias: 'payments', upload_id: 'u' }] })
  const publish = async (event: RunEvent, msgId?: string): Promise<void> => { await bus.publish(RunEvents, event, { subjectSuffix: runId, ...(msgId === undefined ? {} : { msgId }) }) }
  for (let page = 0; page * 2 < invoices.length; page++) {
    const event = { type: 'unmatched_keys' as const, run_id: runId, side: 'left' as const, page, keys: invoices.slice(page * 2, page * 2 + 2).map((k) => [k]), at: now() }
    await publish(event)
    // A redelivery the bus did not de-duplicate: the same page again.
    if (repeatPage) await publish(event)
  }
  const counts = { matched_count: 0, matched_left: 0, matched_right: 0, unmatched_left_count: invoices.length, unmatched_right_count: 0, total_left: invoices.length, total_right: 0 }
  if (end === 'completed') await publish({ type: 'completed', run_id: runId, ...counts, outputs: { matched: 'm', unmatched_left: 'l', unmatched_right: 'r', summary: 's' }, timings_ms: { staging: 1, matching: 1, writing_results: 1, total: 3 }, at: now() })
  else await publish({ type: 'failed', run_id: runId, code: 'ENGINE_INTERNAL', message: 'broke', stage: 'matching', at: now() })
  await until(async () => (await bus.request(GetRun, { run_id: runId })).status === end ? true : undefined)
  return runId
}

t.test('ages count completed runs only, each page once, and end when a run no longer sees the record', async (t) => {
  const { bus, count } = await startRunsService(t)
  const first = await run(bus, ['INV-1', 'INV-2', 'INV-3'], 'completed', true)
  await run(bus, ['INV-1', 'INV-4'], 'failed')
  await run(bus, ['INV-1', 'INV-3'], 'completed')
  const fourth = await run(bus, ['INV-1', 'INV-2', 'INV-5'], 'completed')
  const started = async (id: string): Promise<string> => (await bus.request(GetRun, { run_id: id })).started_at ?? (await bus.request(GetRun, { run_id: id })).created_at
  const ask = ['INV-1', 'INV-2', 'INV-3', 'INV-4', 'INV-5'].map((k) => ({ side: 'left' as const, key: [k] }))
  const { exceptions } = await until(async () => {
    const got = await bus.request(GetExceptions, { recipe_id: 'inv-pay', records: ask })
    return got.exceptions[4]?.runs_unmatched === 1 ? got : undefined
  })
  t.same(exceptions.map((e) => [e.key[0], e.runs_unmatched ?? 0, e.first_seen_run_id ?? null]), [
    ['INV-1', 3, first],
    ['INV-2', 1, fourth],
    ['INV-3', 0, null],
    ['INV-4', 0, null],
    ['INV-5', 1, fourth]
  ], 'INV-2 was matched in the third run, so its age starts again in the fourth; INV-3 was matched in the fourth; INV-4 was only seen by the failed run')
  t.equal(await count('unmatched_sightings'), 3 + 1 + 1, 'left: INV-1 in three runs, INV-2 and INV-5 in the fourth')
  t.equal(exceptions[0]?.first_seen_at, new Date(await started(first)).toISOString(), 'first seen when the first run started')
  t.equal(exceptions[0]?.state, 'open', 'a record nobody acted on is still open, with its age')
})

t.test('a completion heard before its last page of keys prunes when that page comes', async (t) => {
  const { bus, count } = await startRunsService(t)
  await run(bus, ['INV-1', 'INV-2'], 'completed')
  const { run_id: runId } = await bus.request(StartRun, { recipe_id: 'inv-pay', files: [{ alias: 'payments', upload_id: 'u' }] })
  const publish = async (event: RunEvent): Promise<void> => { await bus.publish(RunEvents, event, { subjectSuffix: runId }) }
  const page = (n: number, keys: string[]): RunEvent => ({ type: 'unmatched_keys', run_id: runId, side: 'left', page: n, keys: keys.map((k) => [k]), at: now() })
  await publish(page(0, ['INV-1']))
  await publish({ type: 'completed', run_id: runId, matched_count: 0, matched_left: 0, matched_right: 0, unmatched_left_count: 2, unmatched_right_count: 0, total_left: 2, total_right: 0, outputs: { matched: 'm', unmatched_left: 'l', unmatched_right: 'r', summary: 's' }, timings_ms: { staging: 1, matching: 1, writing_results: 1, total: 3 }, at: now() })
  await until(async () => (await bus.request(GetRun, { run_id: runId })).status === 'completed' ? true : undefined)
  t.equal(await count('unmatched_sightings'), 3, 'nothing is pruned while a page is missing: INV-2 might still be in it')
  await publish(page(1, ['INV-3']))
  const ask = ['INV-1', 'INV-2', 'INV-3'].map((k) => ({ side: 'left' as const, key: [k] }))
  const { exceptions } = await until(async () => {
    const got = await bus.request(GetExceptions, { recipe_id: 'inv-pay', records: ask })
    return got.exceptions[1]?.runs_unmatched === undefined ? got : undefined
  })
  t.same(exceptions.map((e) => e.runs_unmatched ?? 0), [2, 0, 1], 'INV-2 ended with the second run')
  t.equal(await count('unmatched_sightings'), 3, 'INV-1 in both runs and INV-3 remain')
})
