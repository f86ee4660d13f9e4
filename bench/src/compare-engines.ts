// `scripts/node bench/src/compare-engines.ts --before <copy of libs/engine>/src/index.ts [--invoices N] [--recipe NAME] [--reps N] [--explain]`
// Measures an engine change: the same job run with the engine before and after, alternated (ABBA) in one
// run, with wall time, CPU time and peak RSS per run, and the ratio of medians.
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { checkExit, ROOT, runNode, type Measured } from './harness/child.ts'
import { ensureDataset } from './harness/datasets.ts'
import { alternation, summarize } from './harness/stats.ts'

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    after: { type: 'string', default: join(ROOT, 'libs/engine/src/index.ts') },
    invoices: { type: 'string', default: '1000000' },
    recipe: { type: 'string', default: 'one-to-one' },
    reps: { type: 'string', default: '4' },
    'memory-limit': { type: 'string', default: '2GB' },
    explain: { type: 'boolean', default: false }
  }
})
if (values.before === undefined) throw new Error('--before <path to the old engine index.ts> is required')
const context = { size: 'full' as const, dataDir: join(ROOT, 'bench/data'), workDir: join(ROOT, 'bench/data/work'), log: (l: string) => { process.stderr.write(l + '\n') } }
const data = await ensureDataset(context, Number(values.invoices))
const engines = [['before', values.before], ['after', values.after]] as const
const runs: Record<string, Measured[]> = { before: [], after: [] }
for (let rep = 0; rep < Number(values.reps); rep++) {
  for (const [name, engine] of alternation(engines, rep)) {
    const out = await mkdtemp(join(context.dataDir, 'compare-'))
    try {
      const run = await runNode(['bench/src/children/run-engine.ts', '--engine', engine, '--recipe', join(ROOT, 'examples/recipes', `${values.recipe}.json`),
        '--source', `invoices=${data.invoicesPath}`, '--source', `payments=${data.paymentsPath}`, '--out', out, '--memory-limit', values['memory-limit'], ...(values.explain ? ['--explain'] : [])])
      checkExit(`${name} engine`, run)
      const timings = (JSON.parse(run.stdout) as { completed: { timings_ms: Record<string, number> } }).completed.timings_ms
      process.stdout.write(`${name.padEnd(7)} wall ${(run.ms / 1000).toFixed(2)} s  cpu ${(run.cpuMs / 1000).toFixed(2)} s  rss ${run.peakRssMb.toFixed(0)} MB  ${JSON.stringify(timings)}\n`)
      runs[name]!.push(run)
    } finally {
      await rm(out, { recursive: true, force: true })
    }
  }
}
for (const measure of ['ms', 'cpuMs', 'peakRssMb'] as const) {
  const [before, after] = [summarize(runs.before!.map((r) => r[measure])), summarize(runs.after!.map((r) => r[measure]))]
  process.stdout.write(`${measure.padEnd(9)} before median ${before.median.toFixed(0)} (min ${before.min.toFixed(0)}, max ${before.max.toFixed(0)})  after median ${after.median.toFixed(0)} (min ${after.min.toFixed(0)}, max ${after.max.toFixed(0)})  after/before ${(after.median / before.median).toFixed(3)}\n`)
}
