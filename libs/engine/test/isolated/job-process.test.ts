import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { isEngineError, runJob, runJobInProcess, type RunJobOptions } from '../../src/index.ts'
import { fileJob, INVOICES_CSV, PAYMENTS_CSV, readRows, tempDir, writeText } from '../fixtures.ts'

const CROSS_JOIN_SQL = 'SELECT i.invoice_id, p.payment_id, a.range AS x FROM invoices i, payments p, range(1000000) a, range(1000000) b'

/** The fixtures' ground truth, from their text in exact cents: equal references within 0.02. */
function expectedMatches (): string[] {
  const rows = (csv: string): string[][] => csv.trim().split('\n').slice(1).map((line) => line.split(','))
  const cents = (amount: string): number => Number(amount.replace('.', ''))
  const payments = rows(PAYMENTS_CSV)
  return rows(INVOICES_CSV).filter(([id, , amount]) => payments.some(([, ref, paid]) => ref === id && Math.abs(cents(amount ?? '') - cents(paid ?? '')) <= 2)).map(([id]) => id ?? '')
}

async function setup (t: Parameters<typeof tempDir>[0], matchSql?: string): Promise<{ job: ReturnType<typeof fileJob>, workDir: string }> {
  const dir = await tempDir(t)
  const workDir = join(dir, 'work')
  await mkdir(workDir)
  const job = fileJob(dir, await writeText(dir, 'inv.csv', INVOICES_CSV), await writeText(dir, 'pay.csv', PAYMENTS_CSV), matchSql === undefined ? {} : { match_sql: matchSql })
  return { job, workDir }
}

/** The pid of the job process running a job: the oldest (a spare is started each time one is taken). */
function runningJobProcess (): number | undefined {
  try {
    return Number(execFileSync('pgrep', ['-o', '-P', String(process.pid), '-f', 'job-process-entry'], { encoding: 'utf8' }).trim())
  } catch {
    return undefined
  }
}

function exited (pid: number | undefined): boolean {
  if (pid === undefined) return false
  try {
    process.kill(pid, 0)
    return false
  } catch {
    return true
  }
}

async function failure (promise: Promise<unknown>): Promise<{ code: unknown, message: string, stage: unknown, ms: number }> {
  const started = performance.now()
  const error = await promise.then(() => undefined, (e: unknown) => e)
  const ms = performance.now() - started
  return isEngineError(error) ? { code: error.code, message: error.message, stage: error.stage, ms } : { code: error, message: String(error), stage: undefined, ms }
}

/** Runs a cross join that never ends by itself, calling `during(pid)` once the match SQL runs. */
function runaway (job: ReturnType<typeof fileJob>, workDir: string, during: (pid: number) => void, options: RunJobOptions = {}): { done: Promise<unknown>, pid: () => number | undefined } {
  let seen = false
  let running: number | undefined
  const done = runJobInProcess(job, {
    workDir,
    timeoutMs: 0,
    threads: 2,
    memoryLimit: '128MB',
    interruptGraceMs: 500,
    ...options,
    onProgress: (p) => {
      if (p.stage !== 'matching' || seen) return
      seen = true
      running = runningJobProcess()
      if (running !== undefined) during(running)
    }
  })
  return { done, pid: () => running }
}

t.test('a job run in its own process reports progress and gives the ground truth, and its process is gone', async (t) => {
  const { job, workDir } = await setup(t)
  const stages = new Set<string>()
  let pid: number | undefined
  const done = await runJobInProcess(job, { workDir, onProgress: (p) => { stages.add(p.stage); pid ??= runningJobProcess() } })
  const expected = expectedMatches()
  t.equal(done.matched_count, expected.length)
  t.same((await readRows(done.outputs.matched, 'invoice_id')).map((r) => r.invoice_id), expected)
  t.equal(done.unmatched_left_count, 4 - expected.length)
  t.same(done.sources.map((s) => s.rows), [4, 4], 'the per-side summaries cross the process boundary')
  t.ok(stages.has('staging') && stages.has('matching'), 'progress of each stage arrives')
  t.ok(exited(pid), 'the job process exited before the promise settled')
})

t.test('an engine failure in the job process arrives as the same coded error', async (t) => {
  const { job, workDir } = await setup(t, 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON i.no_such_column = p.payment_id')
  const isolated = await failure(runJobInProcess(job, { workDir }))
  const inline = await failure(runJob(job, { workDir }))
  t.match(isolated.message, /no_such_column/)
  t.same([isolated.code, isolated.message, isolated.stage], [inline.code, inline.message, inline.stage], 'as runJob in this process fails')
})

t.test('a cancel the job does not answer (its process frozen) kills the process after the grace period', async (t) => {
  const { job, workDir } = await setup(t, CROSS_JOIN_SQL)
  const controller = new AbortController()
  const run = runaway(job, workDir, (pid) => {
    process.kill(pid, 'SIGSTOP')
    controller.abort()
  }, { signal: controller.signal })
  const { code, stage, ms } = await failure(run.done)
  t.equal(code, 'ENGINE_CANCELLED')
  t.equal(stage, 'matching')
  t.ok(ms < 60_000, `ended (after ${Math.round(ms)} ms)`)
  t.ok(exited(run.pid()), 'the frozen process was killed')
})

t.test('a time limit is enforced by killing the process when the job cannot stop itself', async (t) => {
  const { job, workDir } = await setup(t, CROSS_JOIN_SQL)
  const run = runaway(job, workDir, (pid) => { process.kill(pid, 'SIGSTOP') }, { timeoutMs: 1500 })
  const { code, message } = await failure(run.done)
  t.equal(code, 'ENGINE_TIMEOUT')
  t.match(message, /time limit of 2 s/)
  t.ok(exited(run.pid()), 'the process is gone')
})

t.test('a job process the system kills (as the out-of-memory killer does) fails the run as ENGINE_OUT_OF_MEMORY', async (t) => {
  const { job, workDir } = await setup(t, CROSS_JOIN_SQL)
  const run = runaway(job, workDir, (pid) => { process.kill(pid, 'SIGKILL') })
  const { code, message, stage } = await failure(run.done)
  t.equal(code, 'ENGINE_OUT_OF_MEMORY')
  t.equal(stage, 'matching')
  t.match(message, /ran out of memory.*ENGINE_MEMORY_LIMIT/)
})

t.test('a cancel the job answers ends it with its own account, well within the grace period', async (t) => {
  const { job, workDir } = await setup(t, CROSS_JOIN_SQL)
  const controller = new AbortController()
  const run = runaway(job, workDir, () => { setTimeout(() => { controller.abort() }, 300) }, { signal: controller.signal, interruptGraceMs: 1500 })
  const { code } = await failure(run.done)
  t.equal(code, 'ENGINE_CANCELLED')
  t.ok(exited(run.pid()), 'the process is gone')
})

t.test('the job process gets none of its parent\'s settings or secrets', async (t) => {
  const { job, workDir } = await setup(t, CROSS_JOIN_SQL)
  process.env.KALLA_RESOLVE_KEY = 'a-parent-secret-0123456789'
  t.teardown(() => { delete process.env.KALLA_RESOLVE_KEY })
  const controller = new AbortController()
  let environ = ''
  const run = runaway(job, workDir, (pid) => {
    environ = readFileSync(`/proc/${pid}/environ`, 'utf8')
    controller.abort()
  }, { signal: controller.signal })
  await failure(run.done)
  t.match(environ, /PATH=/)
  t.notMatch(environ, /a-parent-secret|KALLA_/)
})
