import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { silentLogger } from '@kalla/bus'
import { createLocalStorage } from '@kalla/storage'
import { waitFor } from '@kalla/testing'
import { createResultFiles } from '../src/results/result-files.ts'

// Without a local root every file goes through the cache, as it does from S3.
async function setUp (t: Test, options: { maxBytes: number, ttlMs: number }) {
  const dir = await mkdtemp(join(tmpdir(), 'kalla-result-files-'))
  const storage = createLocalStorage({ root: join(dir, 'store') })
  for (const name of ['a', 'b', 'c']) await storage.put(`results/run-1/${name}.parquet`, name.repeat(1000))
  const files = createResultFiles({ storage, dir: join(dir, 'cache'), log: silentLogger, ...options })
  t.teardown(async () => {
    await files.close()
    await rm(dir, { recursive: true, force: true })
  })
  const count = async (): Promise<number> => (await readdir(join(dir, 'cache')).catch(() => [])).filter((f) => f.endsWith('.parquet')).length
  // Evicted files are removed in the background: wait briefly for the count to settle on `expected`.
  const cached = async (expected: number): Promise<number> => await waitFor(async () => await count() === expected ? expected : undefined, 1000, `${expected} cached files`).catch(count)
  return { files, cached, key: (name: string) => `results/run-1/${name}.parquet` }
}

t.test('concurrent readers of one file share one download', async (t) => {
  const { files, cached, key } = await setUp(t, { maxBytes: 10_000, ttlMs: 60_000 })
  const [first, second] = await Promise.all([files.open(key('a')), files.open(key('a'))])
  t.equal(first?.path, second?.path)
  t.equal(await readFile(first?.path ?? '', 'utf8'), 'a'.repeat(1000))
  t.equal(await cached(1), 1)
})

t.test('past the size bound the least recently used file goes, never one being read', async (t) => {
  const { files, cached, key } = await setUp(t, { maxBytes: 2500, ttlMs: 60_000 })
  const held = await files.open(key('a'))
  for (const name of ['b', 'c']) (await files.open(key(name))).release()
  t.equal(await cached(2), 2, 'b went when c came; a is still being read')
  t.equal(await readFile(held.path, 'utf8'), 'a'.repeat(1000))
  held.release()
  t.equal(await cached(2), 2)
  const again = await files.open(key('c'))
  again.release()
  t.equal(await cached(2), 2, 'c was still cached')
})

t.test('a file unused for longer than the time bound goes', async (t) => {
  const { files, cached, key } = await setUp(t, { maxBytes: 10_000, ttlMs: 50 })
  ;(await files.open(key('a'))).release()
  await new Promise((resolve) => setTimeout(resolve, 100))
  ;(await files.open(key('b'))).release()
  t.equal(await cached(1), 1)
})

t.test('a missing object is a storage not-found error and leaves nothing cached', async (t) => {
  const { files, cached, key } = await setUp(t, { maxBytes: 10_000, ttlMs: 60_000 })
  await t.rejects(files.open(key('missing')), { code: 'STORAGE_NOT_FOUND' })
  t.equal(await cached(0), 0)
})
