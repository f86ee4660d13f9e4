import { mkdir, readdir, statfs } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { isEngineError, runJob, type EngineErrorCode } from '../src/index.ts'
import { toEngineError } from '../src/errors.ts'
import { effectiveSpillLimit, parseSize } from '../src/limits.ts'
import { resolveEngineOptions } from '../src/options.ts'
import { fileJob, INVOICES_CSV, PAYMENTS_CSV, tempDir, writeText } from './fixtures.ts'

// Each of these would run for many minutes (or fill the disk) unless the engine stopped it.
const REPEAT_SQL = "SELECT i.invoice_id, p.payment_id, repeat('x', 1000000000) || r.range AS s FROM invoices i, payments p, range(1000) r"
const CROSS_JOIN_SQL = 'SELECT i.invoice_id, p.payment_id, a.range AS x FROM invoices i, payments p, range(1000000) a, range(1000000) b'

interface Setup { job: ReturnType<typeof fileJob>, workDir: string, outDir: string }

async function setup (t: Parameters<typeof tempDir>[0], matchSql: string): Promise<Setup> {
  const dir = await tempDir(t)
  const workDir = join(dir, 'work')
  await mkdir(workDir)
  const job = fileJob(dir, await writeText(dir, 'inv.csv', INVOICES_CSV), await writeText(dir, 'pay.csv', PAYMENTS_CSV), { match_sql: matchSql })
  return { job, workDir, outDir: join(dir, 'out') }
}

async function failure (promise: Promise<unknown>): Promise<{ code: EngineErrorCode | unknown, message: string }> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  return isEngineError(error) ? { code: error.code, message: error.message } : { code: error, message: String(error) }
}

/** Resolves once the directory is empty: the job's DuckDB has stopped and its sandbox was removed. */
async function emptied (dir: string): Promise<string[]> {
  for (;;) {
    const entries = await readdir(dir)
    if (entries.length === 0) return entries
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

t.test('a repeat() that would build terabytes of text stops at the time limit and leaves no temporary files', async (t) => {
  const { job, workDir, outDir } = await setup(t, REPEAT_SQL)
  const { code, message } = await failure(runJob(job, { workDir, timeoutMs: 2500, threads: 2, memoryLimit: '256MB' }))
  t.equal(code, 'ENGINE_TIMEOUT')
  t.match(message, /time limit of 3 s.*ENGINE_TIMEOUT_S/)
  t.same(await emptied(workDir), [], 'the sandbox and its spill are gone')
  t.same(await readdir(outDir), [], 'no results')
})

t.test('a cross join of 10^12 rows stops at the time limit and leaves no temporary files', async (t) => {
  const { job, workDir, outDir } = await setup(t, CROSS_JOIN_SQL)
  const { code } = await failure(runJob(job, { workDir, timeoutMs: 2000, threads: 2, memoryLimit: '128MB' }))
  t.equal(code, 'ENGINE_TIMEOUT')
  t.same(await emptied(workDir), [], 'the sandbox and its spill are gone')
  t.same(await readdir(outDir), [], 'no results')
})

t.test('cancelling through the AbortSignal mid-query ends the job and DuckDB stops working', async (t) => {
  const { job, workDir } = await setup(t, CROSS_JOIN_SQL)
  const controller = new AbortController()
  let matching = false
  const run = runJob(job, { workDir, timeoutMs: 0, threads: 2, memoryLimit: '128MB', signal: controller.signal, onProgress: (p) => { if (p.stage === 'matching' && !matching) { matching = true; setTimeout(() => { controller.abort() }, 1000) } } })
  const { code } = await failure(run)
  t.equal(code, 'ENGINE_CANCELLED')
  t.ok(matching, 'the cancel came while the match SQL ran')
  t.same(await emptied(workDir), [], 'the query stopped: its sandbox was closed and removed')
})

t.test('a match that spills past the spill limit ends with ENGINE_SPILL_LIMIT', async (t) => {
  const { job, workDir } = await setup(t, CROSS_JOIN_SQL)
  const { code, message } = await failure(runJob(job, { workDir, timeoutMs: 0, threads: 2, memoryLimit: '64MB', maxTempDirectorySize: '16MB' }))
  t.equal(code, 'ENGINE_SPILL_LIMIT')
  t.match(message, /ENGINE_MAX_SPILL/)
  t.same(await emptied(workDir), [], 'the spill files are removed')
})

t.test('a memory limit too small for the run ends with ENGINE_OUT_OF_MEMORY, not a file error', async (t) => {
  const { job, workDir } = await setup(t, CROSS_JOIN_SQL)
  const { code, message } = await failure(runJob(job, { workDir, threads: 2, memoryLimit: '4MB' }))
  t.equal(code, 'ENGINE_OUT_OF_MEMORY')
  t.match(message, /ENGINE_MEMORY_LIMIT/)
  t.notMatch(message, /Possible solutions/, 'one sentence, not DuckDB\'s list of tips')
})

t.test('DuckDB\'s "could not allocate block" while reading a file is a memory failure', async (t) => {
  const error = toEngineError(new Error('Out of Memory Error: could not allocate block of size 256.0 KiB (3.8 MiB/3.8 MiB used)'), 'staging')
  t.equal(error.code, 'ENGINE_OUT_OF_MEMORY')
  t.equal(error.stage, 'staging')
  t.equal(toEngineError(new Error('IO Error: failed to offload data block of size 256.0 KiB (47.6 MiB/47.6 MiB used).\nThis limit was set by the \'max_temp_directory_size\' setting.'), 'matching').code, 'ENGINE_SPILL_LIMIT')
})

t.test('a match returning more rows than allowed ends with ENGINE_OUTPUT_LIMIT and writes nothing', async (t) => {
  const { job, workDir, outDir } = await setup(t, 'SELECT i.invoice_id, p.payment_id FROM invoices i, payments p')
  const { code, message } = await failure(runJob(job, { workDir, maxMatchedRows: 15 }))
  t.equal(code, 'ENGINE_OUTPUT_LIMIT', '16 rows (4 × 4) against a limit of 15')
  t.match(message, /15 matched rows.*ENGINE_MAX_MATCHED_ROWS/)
  t.same(await readdir(outDir), [])
  const done = await runJob(job, { workDir, maxMatchedRows: 16 })
  t.equal(done.matched_count, 16, 'exactly at the limit is allowed')
})

t.test('results larger than the output size limit end with ENGINE_OUTPUT_LIMIT and are removed', async (t) => {
  const { job, workDir, outDir } = await setup(t, 'SELECT i.invoice_id, p.payment_id FROM invoices i, payments p')
  const { code } = await failure(runJob(job, { workDir, maxOutputBytes: 100 }))
  t.equal(code, 'ENGINE_OUTPUT_LIMIT')
  t.same(await readdir(outDir), [])
})

t.test('a run has a one-hour time limit unless told otherwise', async (t) => {
  t.equal(resolveEngineOptions().timeoutMs, 3_600_000)
  t.equal(resolveEngineOptions({ timeoutMs: 0 }).timeoutMs, 0, '0 still means no limit')
})

t.test('the spill limit is never more than half the free disk of the work directory', async (t) => {
  const dir = await tempDir(t)
  const disk = await statfs(dir)
  const half = Math.floor(Number(disk.bavail) * Number(disk.bsize) / 2)
  const capped = await effectiveSpillLimit(dir, '1000TB')
  t.ok(capped <= half && capped > half * 0.9, 'a configured limit above the free disk is capped to half of it')
  t.equal(await effectiveSpillLimit(dir, '16MB'), 16_000_000, 'a smaller configured limit is kept')
  t.equal(parseSize('47.6 MiB'), Math.floor(47.6 * 2 ** 20))
  t.equal(parseSize('2GB'), 2_000_000_000)
})
