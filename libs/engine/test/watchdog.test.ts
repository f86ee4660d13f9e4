import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { EngineError, isEngineError } from '../src/index.ts'
import { spillWatch, Watchdog } from '../src/watchdog.ts'
import { tempDir } from './fixtures.ts'

const codeOf = async (promise: Promise<unknown>): Promise<unknown> => await promise.then(() => 'resolved', (e: unknown) => isEngineError(e) ? e.code : e)

t.test('a watched directory growing past its limit stops the job with ENGINE_SPILL_LIMIT, whatever DuckDB does', async (t) => {
  const dir = await tempDir(t)
  const watchdog = new Watchdog({ timeoutMs: 0, graceMs: 50, pollMs: 20 })
  t.teardown(() => { watchdog.dispose() })
  watchdog.watch(spillWatch(dir, 1000))
  await writeFile(join(dir, 'duckdb_temp_block-1.block'), Buffer.alloc(999))
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.notOk(watchdog.signal.aborted, 'under the limit the job goes on')
  await writeFile(join(dir, 'duckdb_temp_block-2.block'), Buffer.alloc(2))
  await new Promise<void>((resolve) => { watchdog.signal.addEventListener('abort', () => { resolve() }) })
  t.equal(watchdog.reason()?.code, 'ENGINE_SPILL_LIMIT')
  t.match(watchdog.reason()?.message ?? '', /spill limit of 1000 B/)
})

t.test('work that does not stop within the grace period after a cancel is given up on', async (t) => {
  const controller = new AbortController()
  const watchdog = new Watchdog({ signal: controller.signal, timeoutMs: 0, graceMs: 100, pollMs: 1000 })
  t.teardown(() => { watchdog.dispose() })
  const never = new Promise<never>(() => {})
  const guarded = codeOf(watchdog.guard(never))
  controller.abort()
  t.equal(await guarded, 'ENGINE_CANCELLED', 'the job ends although its work never settled')
})

t.test('work that ends within the grace period ends the job with its own outcome', async (t) => {
  const watchdog = new Watchdog({ timeoutMs: 50, graceMs: 5000, pollMs: 1000 })
  t.teardown(() => { watchdog.dispose() })
  const work = new Promise((resolve, reject) => { watchdog.signal.addEventListener('abort', () => { setTimeout(() => { reject(new Error('INTERRUPT Error: Interrupted!')) }, 10) }) })
  const error = await watchdog.guard(work).catch((e: unknown) => e)
  t.match(String(error), /INTERRUPT/, 'the work\'s own error, which runJob turns into the stop reason')
  t.equal(watchdog.reason()?.code, 'ENGINE_TIMEOUT')
})

t.test('a stop keeps interrupting the connection until the job ends, so a statement started after it stops too', async (t) => {
  const calls = { interrupts: 0 }
  const connection = { interrupt: () => { calls.interrupts++ } }
  const watchdog = new Watchdog({ timeoutMs: 0, graceMs: 1000, pollMs: 1000 })
  watchdog.attach(connection as unknown as Parameters<Watchdog['attach']>[0])
  watchdog.stop(new EngineError('ENGINE_CANCELLED', 'The run was cancelled.'))
  t.equal(calls.interrupts, 1, 'interrupted at once')
  while (calls.interrupts < 3) await new Promise((resolve) => setTimeout(resolve, 20))
  watchdog.dispose()
  const seen = calls.interrupts
  await new Promise((resolve) => setTimeout(resolve, 250))
  t.equal(calls.interrupts, seen, 'no interrupts once the job has ended')
})
