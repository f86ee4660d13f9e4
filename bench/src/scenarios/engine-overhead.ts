import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { checkExit, ROOT, runNode, type Measured } from '../harness/child.ts'
import { repetitions, type BenchContext, type Scenario } from '../harness/context.ts'
import { ensureDataset, sizeLabel, type Dataset } from '../harness/datasets.ts'
import { compare, type Comparison, type ResultRow, type ScenarioResult } from '../harness/result.ts'
import { measuredRow, medians, pairedRatio } from '../harness/rows.ts'
import { alternation, summarize } from '../harness/stats.ts'
import { measureStaging } from './staging-cases.ts'

const SCENARIO = '1 engine overhead'
export const COUNTS = ['matched_count', 'unmatched_left_count', 'unmatched_right_count'] as const

interface Case { recipe: 'one-to-one' | 'split' | 'batch', invoices: number, reps: number, target: string }

const FULL: Case[] = [
  { recipe: 'one-to-one', invoices: 100_000, reps: 5, target: 'none' },
  { recipe: 'one-to-one', invoices: 1_000_000, reps: 5, target: '<= 1.2' },
  { recipe: 'one-to-one', invoices: 10_000_000, reps: 3, target: '<= 1.2' },
  { recipe: 'split', invoices: 1_000_000, reps: 3, target: '<= 1.2' },
  { recipe: 'batch', invoices: 1_000_000, reps: 3, target: '<= 1.2' }
]
// The split and batch cases differ from one-to-one only in the recipe file, so one case keeps the harness honest.
const SMOKE: Case[] = [{ recipe: 'one-to-one', invoices: 300, reps: 1, target: 'none' }]

export interface Run extends Measured { counts: Record<string, number>, timings?: Record<string, number> }

/** `kalla match` end to end, one process: what a user of the CLI waits for. */
export async function kallaMatch (recipe: string, data: Dataset, out: string): Promise<Run> {
  const run = await runNode(['libs/cli/src/main.ts', 'match', join(ROOT, 'examples/recipes', `${recipe}.json`),
    '--source', `invoices=${data.invoicesPath}`, '--source', `payments=${data.paymentsPath}`, '--out', out, '--json'])
  checkExit('kalla match', run)
  const done = JSON.parse(run.stdout) as Record<string, number> & { timings_ms: Record<string, number> }
  return { ...run, counts: pick(done), timings: done.timings_ms }
}

/** The same work written directly against DuckDB (see children/raw-duckdb.ts). */
export async function rawDuckdb (recipe: string, data: Dataset, out: string): Promise<Run> {
  const run = await runNode(['bench/src/children/raw-duckdb.ts', '--recipe', join(ROOT, 'examples/recipes', `${recipe}.json`),
    '--invoices', data.invoicesPath, '--payments', data.paymentsPath, '--out', out])
  checkExit('raw DuckDB', run)
  return { ...run, counts: pick(JSON.parse(run.stdout) as Record<string, number>) }
}

function pick (summary: Record<string, number>): Record<string, number> {
  return Object.fromEntries(COUNTS.map((k) => [k, summary[k] ?? -1]))
}

async function measureCase (context: BenchContext, kase: Case): Promise<{ rows: ResultRow[], comparison: Comparison }> {
  const data = await ensureDataset(context, kase.invoices)
  const label = `${kase.recipe}, ${sizeLabel(kase.invoices)} invoices`
  const variants = [['kalla', kallaMatch], ['raw', rawDuckdb]] as const
  const runs: Record<'kalla' | 'raw', Run[]> = { kalla: [], raw: [] }
  for (let rep = 0; rep < repetitions(context, kase.reps); rep++) {
    for (const [name, variant] of alternation(variants, rep)) {
      const out = await mkdtemp(join(context.workDir, `${name}-`))
      try {
        runs[name].push(await variant(kase.recipe, data, out))
        context.log(`${label}: ${name} ${(runs[name].at(-1)!.ms / 1000).toFixed(2)} s`)
      } finally {
        await rm(out, { recursive: true, force: true })
      }
    }
  }
  const agree = runs.kalla.every((k, i) => COUNTS.every((c) => k.counts[c] === runs.raw[i]?.counts[c]))
  const note = agree ? `both give ${runs.kalla[0]?.counts.matched_count ?? 0} matched rows` : `COUNTS DIFFER: kalla ${JSON.stringify(runs.kalla[0]?.counts)}, raw ${JSON.stringify(runs.raw[0]?.counts)}`
  const rows = data.invoices + data.payments
  const stages = medians(runs.kalla.map((r) => r.timings ?? {}), 1000)
  const kallaRow = measuredRow(SCENARIO, label, 'kalla match', runs.kalla, rows, { metrics: { 'staging s': stages.staging ?? 0, 'matching s': stages.matching ?? 0, 'writing s': stages.writing_results ?? 0 }, note })
  const rawRow = measuredRow(SCENARIO, label, 'raw DuckDB', runs.raw, rows)
  const wall = pairedRatio(runs.kalla.map((r) => r.ms), runs.raw.map((r) => r.ms))
  const cpu = summarize(runs.kalla.map((r) => r.cpuMs)).median / summarize(runs.raw.map((r) => r.cpuMs)).median
  const detail = `pairs ${wall.min.toFixed(2)}–${wall.max.toFixed(2)}; CPU-time ratio ${cpu.toFixed(2)}`
  if (!agree) kallaRow.status = 'failed'
  return { rows: [kallaRow, rawRow], comparison: compare(SCENARIO, label, 'time kalla / raw DuckDB', wall.median, kase.target, detail) }
}

export const engineOverhead: Scenario = {
  number: 1,
  id: 'engine',
  title: 'Engine overhead vs raw DuckDB',
  run: async (context) => {
    await mkdir(context.workDir, { recursive: true })
    const result: ScenarioResult = { rows: [], comparisons: [] }
    for (const kase of context.size === 'smoke' ? SMOKE : FULL) {
      const { rows, comparison } = await measureCase(context, kase)
      result.rows.push(...rows)
      result.comparisons.push(comparison)
    }
    const staging = await measureStaging(context)
    result.rows.push(...staging.rows)
    result.comparisons.push(...staging.comparisons)
    return result
  }
}
