// `scripts/node bench/src/compare-staging.ts [--engine NAME=DIR ...] [--invoices N] [--file F ...] [--reps N]`
// Staging alone, for an engine change that should not cost plain files anything: each file is staged by
// every engine given (a package directory holding src/stage/files.ts; the working tree's libs/engine
// when none is) and by raw DuckDB, in a rotated order per repetition. Prints per variant the median time
// and CPU of the staging call, and the median of its per-repetition ratios to raw DuckDB in the same round.
import { parseArgs } from 'node:util'
import { join } from 'node:path'
import { ROOT } from './harness/child.ts'
import { ensureDataset } from './harness/datasets.ts'
import { ENGINE_DIR, rotation, stagedFilePath, stageOnce, type StagedFile, type StageRun, type StageVariant } from './harness/staging.ts'
import { summarize } from './harness/stats.ts'
import { loadavg } from 'node:os'

const { values } = parseArgs({
  options: {
    engine: { type: 'string', multiple: true },
    invoices: { type: 'string', default: '1000000' },
    file: { type: 'string', multiple: true },
    reps: { type: 'string', default: '5' }
  }
})
const context = { size: 'full' as const, dataDir: join(ROOT, 'bench/data'), workDir: join(ROOT, 'bench/data/work'), log: (l: string) => { process.stderr.write(l + '\n') } }
const data = await ensureDataset(context, Number(values.invoices))
const engines: StageVariant[] = (values.engine ?? [`head=${ENGINE_DIR}`]).map((pair) => ({ name: pair.slice(0, pair.indexOf('=')), engine: pair.slice(pair.indexOf('=') + 1) }))
const variants: StageVariant[] = [...engines, { name: 'raw' }]
const files = (values.file ?? ['invoices.csv', 'payments.csv', 'invoices.parquet']) as StagedFile[]

for (const file of files) {
  const path = await stagedFilePath(data, file)
  const runs = new Map<string, StageRun[]>(variants.map((v) => [v.name, []]))
  const loads: number[] = []
  for (let rep = 0; rep < Number(values.reps); rep++) {
    for (const variant of rotation(variants, rep)) {
      const run = await stageOnce(variant, file, path)
      runs.get(variant.name)!.push(run)
      process.stderr.write(`${file} rep ${rep + 1} ${variant.name.padEnd(6)} stage ${ms(run.stageMs)} cpu ${ms(run.stageCpuMs)}  ${JSON.stringify(run.types)}\n`)
    }
    loads.push(loadavg()[0]!)
  }
  const raw = runs.get('raw')!
  process.stdout.write(`${file}, ${data.invoices.toLocaleString('en-US')} invoices, ${values.reps} reps, load ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}\n`)
  for (const variant of variants) {
    const mine = runs.get(variant.name)!
    const wall = summarize(mine.map((r) => r.stageMs))
    const cpu = summarize(mine.map((r) => r.stageCpuMs))
    const ratio = summarize(mine.map((r, i) => r.stageMs / raw[i]!.stageMs))
    const cpuRatio = summarize(mine.map((r, i) => r.stageCpuMs / raw[i]!.stageCpuMs))
    process.stdout.write(`  ${variant.name.padEnd(6)} stage median ${ms(wall.median)} (${ms(wall.min)}-${ms(wall.max)})  cpu ${ms(cpu.median)}  / raw: time ${ratio.median.toFixed(2)} (${ratio.min.toFixed(2)}-${ratio.max.toFixed(2)}), cpu ${cpuRatio.median.toFixed(2)}\n`)
  }
}

function ms (value: number): string {
  return `${(value / 1000).toFixed(2)} s`
}
