// `scripts/node bench/src/compare-engines.ts --before <copy of libs/engine>/src/index.ts [--invoices N] [--recipe NAME] [--reps N] [--explain] [--raw]`
// Measures an engine change: the same job run with the engine before and after, alternated (ABBA) in one
// run, with wall time, CPU time and peak RSS per run, the CPU of each stage, and the ratio of medians.
// `--raw` adds scenario 1's baseline (children/raw-duckdb.ts, the same work written directly in DuckDB) to
// the rotation, checks that its counts equal the engines', and gives each engine's ratios to it.
// Every run's result files must hold the same rows as the first run's (harness/result-fingerprint.ts).
// `--trace` times every DuckDB statement and adds the CPU of each step of matching and writing.
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { checkExit, ROOT, runNode, type Measured } from './harness/child.ts'
import { ensureDataset, type Dataset } from './harness/datasets.ts'
import { rotation } from './harness/staging.ts'
import { summarize } from './harness/stats.ts'
import { resultFingerprint } from './harness/result-fingerprint.ts'
import { stepCpu } from './harness/steps.ts'
import type { TracedStatement } from './harness/trace-statements.ts'

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    after: { type: 'string', default: join(ROOT, 'libs/engine/src/index.ts') },
    invoices: { type: 'string', default: '1000000' },
    recipe: { type: 'string', default: 'one-to-one' },
    reps: { type: 'string', default: '4' },
    'memory-limit': { type: 'string', default: '2GB' },
    explain: { type: 'boolean', default: false },
    raw: { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false }
  }
})
if (values.before === undefined) throw new Error('--before <path to the old engine index.ts> is required')
const context = { size: 'full' as const, dataDir: join(ROOT, 'bench/data'), workDir: join(ROOT, 'bench/data/work'), log: (l: string) => { process.stderr.write(l + '\n') } }
const data = await ensureDataset(context, Number(values.invoices))
const recipe = join(ROOT, 'examples/recipes', `${values.recipe}.json`)
const memoryLimit = values['memory-limit'] ?? '2GB'

type Counts = [number, number, number]
interface Run extends Measured { counts: Counts, stageCpu?: Record<string, number>, contents?: string }

const variants = [['before', values.before], ['after', values.after], ...(values.raw ? [['raw', '']] : [])] as const
const runs: Record<string, Run[]> = Object.fromEntries(variants.map(([name]) => [name, []]))
for (let rep = 0; rep < Number(values.reps); rep++) {
  for (const [name, engine] of rotation(variants, rep)) {
    const out = await mkdtemp(join(context.dataDir, 'compare-'))
    try {
      const run = name === 'raw' ? await runRaw(data, out) : await runEngine(name, engine, data, out)
      run.contents = JSON.stringify(await resultFingerprint(out))
      process.stdout.write(`${name.padEnd(7)} wall ${(run.ms / 1000).toFixed(2)} s  cpu ${(run.cpuMs / 1000).toFixed(2)} s  rss ${run.peakRssMb.toFixed(0)} MB  counts ${run.counts.join('/')}  ${run.stageCpu === undefined ? '' : `stage cpu ${JSON.stringify(run.stageCpu)}`}\n`)
      const first = Object.values(runs).flat()[0]
      if (first !== undefined && first.counts.join() !== run.counts.join()) throw new Error(`${name} counted ${run.counts.join('/')}, the first run ${first.counts.join('/')}`)
      if (first !== undefined && first.contents !== run.contents) throw new Error(`${name} wrote other results than the first run: ${run.contents ?? ''} against ${first.contents ?? ''}`)
      if (first === undefined) process.stdout.write(`results: ${run.contents}\n`)
      runs[name]!.push(run)
    } finally {
      await rm(out, { recursive: true, force: true })
    }
  }
}
report()

async function runEngine (name: string, engine: string, dataset: Dataset, out: string): Promise<Run> {
  const run = await runNode(['bench/src/children/run-engine.ts', '--engine', engine, '--recipe', recipe,
    '--source', `invoices=${dataset.invoicesPath}`, '--source', `payments=${dataset.paymentsPath}`, '--out', out, '--memory-limit', memoryLimit, ...(values.explain ? ['--explain'] : []), ...(values.trace ? ['--trace'] : [])])
  checkExit(`${name} engine`, run)
  const parsed = JSON.parse(run.stdout) as { completed: { matched_count: number, unmatched_left_count: number, unmatched_right_count: number }, cpuMarks?: Record<string, number>, statements?: TracedStatement[] }
  const c = parsed.completed
  return { ...run, counts: [c.matched_count, c.unmatched_left_count, c.unmatched_right_count], ...(parsed.cpuMarks === undefined ? {} : { stageCpu: stepCpu(parsed.cpuMarks, parsed.statements) }) }
}

async function runRaw (dataset: Dataset, out: string): Promise<Run> {
  const run = await runNode(['bench/src/children/raw-duckdb.ts', '--recipe', recipe, '--invoices', dataset.invoicesPath, '--payments', dataset.paymentsPath, '--out', out, '--memory-limit', memoryLimit, ...(values.trace ? ['--trace'] : [])])
  checkExit('raw DuckDB', run)
  const c = JSON.parse(run.stdout) as { matched_count: number, unmatched_left_count: number, unmatched_right_count: number, cpuMarks: Record<string, number>, statements?: TracedStatement[] }
  return { ...run, counts: [c.matched_count, c.unmatched_left_count, c.unmatched_right_count], stageCpu: stepCpu(c.cpuMarks, c.statements) }
}

function report (): void {
  const names = variants.map(([name]) => name)
  for (const measure of ['ms', 'cpuMs', 'peakRssMb'] as const) {
    const line = names.map((n) => { const s = summarize(runs[n]!.map((r) => r[measure])); return `${n} median ${s.median.toFixed(0)} (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)})` })
    const [before, after] = [summarize(runs.before!.map((r) => r[measure])), summarize(runs.after!.map((r) => r[measure]))]
    process.stdout.write(`${measure.padEnd(9)} ${line.join('  ')}  after/before ${(after.median / before.median).toFixed(3)}\n`)
  }
  const steps = [...new Set(Object.values(runs).flat().flatMap((r) => Object.keys(r.stageCpu ?? {})))]
  process.stdout.write(`\n| step (ms CPU, median of ${values.reps}) | ${names.join(' | ')} |\n|---|${names.map(() => '---|').join('')}\n`)
  for (const step of steps) {
    const cells = names.map((n) => { const s = summarize(runs[n]!.flatMap((r) => r.stageCpu?.[step] === undefined ? [] : [r.stageCpu[step]])); return Number.isNaN(s.median) ? '–' : s.median.toFixed(0) })
    process.stdout.write(`| ${step} | ${cells.join(' | ')} |\n`)
  }
  process.stdout.write(`| whole process | ${names.map((n) => summarize(runs[n]!.map((r) => r.cpuMs)).median.toFixed(0)).join(' | ')} |\n\n`)
  if (!values.raw) return
  for (const n of ['before', 'after']) {
    const ratio = (measure: 'ms' | 'cpuMs'): string => summarize(runs[n]!.map((r, i) => r[measure] / runs.raw![i]![measure])).median.toFixed(2)
    process.stdout.write(`${n} / raw DuckDB, median of per-repetition ratios: wall ${ratio('ms')}, cpu ${ratio('cpuMs')}\n`)
  }
}
