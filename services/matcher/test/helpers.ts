import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { createMemoryBus, type MemoryBus } from '@kalla/bus'
import { MatchJobs, RunEvents, STREAMS, type Job, type RunEvent } from '@kalla/proto'
import { createLocalStorage, type Storage } from '@kalla/storage'
import { buildMatcherApp } from '../src/app.ts'
import { loadMatcherConfig } from '../src/config.ts'

export const INVOICES = [
  { invoice_id: 'I1', amount: '100.00' },
  { invoice_id: 'I2', amount: '250.50' },
  { invoice_id: 'I3', amount: '75.25' },
  { invoice_id: 'I4', amount: '10.00' }
]
export const PAYMENTS = [
  { payment_id: 'P1', reference_number: 'I1', paid_amount: '100.00' },
  { payment_id: 'P2', reference_number: 'I2', paid_amount: '250.49' },
  { payment_id: 'P3', reference_number: 'I3', paid_amount: '80.00' },
  { payment_id: 'P4', reference_number: 'I9', paid_amount: '10.00' },
  { payment_id: 'P5', reference_number: 'I4', paid_amount: '10.00' }
]
export const MATCH_SQL = 'SELECT i.invoice_id, p.payment_id, i.amount, p.paid_amount FROM invoices i JOIN payments p ON p.reference_number = i.invoice_id AND tolerance_match(i.amount, p.paid_amount, 0.02)'
// Reads both sources, then counts for several seconds: long enough to cancel or shut down mid-run.
export const SLOW_SQL = 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON p.reference_number = i.invoice_id WHERE (SELECT count(*) FROM range(10000000000) r(x) WHERE x % 7 = 3) > 0'

export const INVOICES_KEY = 'uploads/u-inv/invoices.csv'
export const PAYMENTS_KEY = 'uploads/u-pay/bank_payments.csv'

function csv (rows: Record<string, string>[]): string {
  const columns = Object.keys(rows[0] ?? {})
  return [columns.join(','), ...rows.map((r) => columns.map((c) => r[c]).join(','))].join('\n') + '\n'
}

export async function putInputs (storage: Storage): Promise<void> {
  await storage.put(INVOICES_KEY, csv(INVOICES))
  await storage.put(PAYMENTS_KEY, csv(PAYMENTS))
}

/** The key this matcher shares with the (stand-in) sources service. */
export const RESOLVE_KEY = randomBytes(32).toString('hex')

let counter = 0
export function job (overrides: Partial<Job> = {}): Job {
  const runId = overrides.run_id ?? `run-test-${process.pid}-${++counter}`
  return {
    run_id: runId,
    match_sql: MATCH_SQL,
    sources: [
      { alias: 'invoices', side: 'left', type: 'file', uri: INVOICES_KEY, format: 'csv', schema: ['invoice_id', 'amount'] },
      { alias: 'payments', side: 'right', type: 'file', uri: PAYMENTS_KEY, format: 'csv' }
    ],
    primary_keys: { invoices: ['invoice_id'], payments: ['payment_id'] },
    output_path: `results/${runId}`,
    ...overrides
  }
}

export interface Harness {
  bus: MemoryBus
  storage: Storage
  root: string
  workDir: string
  app: FastifyInstance
  /** Every run event in stream order. */
  events: RunEvent[]
  publish: (job: Job) => Promise<void>
  eventsOf: (runId: string) => RunEvent[]
  /** Resolves with the run's first event of `type`. */
  next: <K extends RunEvent['type']>(runId: string, type: K, timeoutMs?: number) => Promise<Extract<RunEvent, { type: K }>>
  /** Entries left in the work directory (each job's own directory must be gone). */
  workEntries: () => Promise<string[]>
}

/**
 * A matcher app on a memory bus with local storage in a temp dir, both removed at teardown.
 * A bus or storage root can be shared between harnesses to model replicas or a redelivery.
 */
export async function startMatcher (t: Test, env: Record<string, string> = {}, shared: { bus?: MemoryBus, root?: string } = {}): Promise<Harness> {
  const bus = shared.bus ?? createMemoryBus({ logger: { warn: () => {}, error: () => {} } })
  const root = shared.root ?? await mkdtemp(join(tmpdir(), 'kalla-matcher-objects-'))
  const workDir = await mkdtemp(join(tmpdir(), 'kalla-matcher-work-'))
  const storage = createLocalStorage({ root })
  await bus.ensureStreams(STREAMS)
  const events: RunEvent[] = []
  const tap = await bus.subscribe(RunEvents, { deliver: 'all' }, (event) => { events.push(event) })
  const config = loadMatcherConfig({ LOG_LEVEL: 'fatal', KALLA_RESOLVE_KEY: RESOLVE_KEY, STORAGE_DIR: root, KALLA_WORK_DIR: workDir, MATCHER_PROGRESS_INTERVAL_MS: '100', ENGINE_THREADS: '2', ...env })
  const app = await buildMatcherApp(config, { bus, storage })
  t.teardown(async () => {
    await app.close()
    await tap.unsubscribe()
    if (shared.bus === undefined) await bus.close()
    await storage.close()
    await rm(workDir, { recursive: true, force: true })
    if (shared.root === undefined) await rm(root, { recursive: true, force: true })
  })
  const eventsOf = (runId: string): RunEvent[] => events.filter((e) => e.run_id === runId)
  return {
    bus,
    storage,
    root,
    workDir,
    app,
    events,
    eventsOf,
    publish: async (j) => { await bus.publish(MatchJobs, j, { msgId: j.run_id }) },
    next: async (runId, type, timeoutMs = 10_000) => await waitFor(() => eventsOf(runId).find((e) => e.type === type) as Extract<RunEvent, { type: typeof type }> | undefined, timeoutMs),
    workEntries: async () => await readdir(join(workDir, 'matcher')).catch(() => [])
  }
}

export async function waitFor<T> (probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > end) throw new Error(`condition not reached in ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

export async function sleep (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}
