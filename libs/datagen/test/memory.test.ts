import { stat } from 'node:fs/promises'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import t from 'tap'
import { generateDataset } from '../src/index.ts'
import { tempDir } from './temp-dir.ts'

// heapUsed alone also counts garbage that has not been collected yet; collecting before each sample
// measures what generation actually keeps alive.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

t.test('generating 200k invoices keeps a small, bounded heap', async (t) => {
  const dir = await tempDir(t)
  gc()
  const before = process.memoryUsage().heapUsed
  let peak = 0
  let samples = 0
  const sampler = setInterval(() => {
    gc()
    peak = Math.max(peak, process.memoryUsage().heapUsed - before)
    samples++
  }, 100)
  const result = await generateDataset({ outDir: dir, invoices: 200_000, seed: 1 })
  clearInterval(sampler)
  const sizes = await Promise.all(result.files.map(async (file) => (await stat(file)).size))
  const dataBytes = sizes.reduce((sum, size) => sum + size, 0)
  t.ok(dataBytes > 50e6, `the dataset is ${(dataBytes / 1e6).toFixed(0)} MB on disk`)
  t.ok(samples >= 5, `${samples} samples were taken while writing`)
  t.ok(peak < 16e6, `the heap grew by at most ${(peak / 1e6).toFixed(1)} MB while writing it`)
})
