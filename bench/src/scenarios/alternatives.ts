import { access, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { checkExit, ROOT, runCommand } from '../harness/child.ts'
import { repetitions, type BenchContext, type Scenario } from '../harness/context.ts'
import { ensureDataset, sizeLabel, type Dataset } from '../harness/datasets.ts'
import { blockedRow, compare, type ScenarioResult } from '../harness/result.ts'
import { measuredRow, pairedRatio } from '../harness/rows.ts'
import { COUNTS, kallaMatch, rawDuckdb, type Run } from './engine-overhead.ts'

const SCENARIO = '7 alternatives'
// Debian's python3-pandas: /usr/bin/python3, whatever python3 comes first on the PATH.
const PYTHON = '/usr/bin/python3'

/** The one-to-one reconciliation written in pandas (see children/pandas-match.py). */
async function pandasMatch (_recipe: string, data: Dataset, out: string): Promise<Run> {
  const run = await runCommand(PYTHON, [join(ROOT, 'bench/src/children/pandas-match.py'), '--invoices', data.invoicesPath, '--payments', data.paymentsPath, '--out', out])
  checkExit('pandas', run)
  const done = JSON.parse(run.stdout) as Record<string, number>
  return { ...run, peakRssMb: (done.max_rss_kb ?? 0) / 1024, cpuMs: done.cpu_ms ?? 0, counts: Object.fromEntries(COUNTS.map((k) => [k, done[k] ?? -1])) }
}

const VARIANTS = [['kalla match', kallaMatch], ['raw DuckDB', rawDuckdb], ['pandas', pandasMatch]] as const
type Name = typeof VARIANTS[number][0]

async function hasPandas (): Promise<boolean> {
  if (!await access(PYTHON).then(() => true, () => false)) return false
  return (await runCommand(PYTHON, ['-c', 'import pandas'])).code === 0
}

async function measureSize (context: BenchContext, invoices: number, reps: number, result: ScenarioResult): Promise<void> {
  const data = await ensureDataset(context, invoices)
  const label = `one-to-one, ${sizeLabel(invoices)} invoices`
  const runs: Record<Name, Run[]> = { 'kalla match': [], 'raw DuckDB': [], pandas: [] }
  for (let rep = 0; rep < repetitions(context, reps); rep++) {
    // Each repetition starts with the next variant, so no tool always runs first (or last) under the same load.
    const order = VARIANTS.map((_v, i) => VARIANTS[(i + rep) % VARIANTS.length]!)
    for (const [name, variant] of order) {
      const out = await mkdtemp(join(context.workDir, 'alt-'))
      try {
        runs[name].push(await variant('one-to-one', data, out))
        context.log(`${label}: ${name} ${(runs[name].at(-1)!.ms / 1000).toFixed(2)} s`)
      } finally {
        await rm(out, { recursive: true, force: true })
      }
    }
  }
  const reference = runs['kalla match'][0]?.counts
  const rows = data.invoices + data.payments
  for (const [name] of VARIANTS) {
    const agree = runs[name].every((r) => COUNTS.every((c) => r.counts[c] === reference?.[c]))
    const row = measuredRow(SCENARIO, label, name, runs[name], rows, { note: agree ? `${reference?.matched_count ?? 0} matched rows, as Kalla` : `COUNTS DIFFER: ${JSON.stringify(runs[name][0]?.counts)}` })
    if (!agree) row.status = 'failed'
    result.rows.push(row)
  }
  const ms = (name: Name): number[] => runs[name].map((r) => r.ms)
  const peak = (name: Name): number => Math.max(...runs[name].map((r) => r.peakRssMb))
  const pandas = pairedRatio(ms('pandas'), ms('kalla match'))
  const duckdb = pairedRatio(ms('kalla match'), ms('raw DuckDB'))
  result.comparisons.push(compare(SCENARIO, label, 'time pandas / kalla match', pandas.median, '>= 2', `peak RSS pandas ${Math.round(peak('pandas'))} MB, kalla ${Math.round(peak('kalla match'))} MB`))
  result.comparisons.push(compare(SCENARIO, label, 'time kalla match / raw DuckDB', duckdb.median, '<= 1.2', `peak RSS raw DuckDB ${Math.round(peak('raw DuckDB'))} MB`))
}

export const alternatives: Scenario = {
  number: 7,
  id: 'alternatives',
  title: 'Kalla against what a team would use instead: pandas and hand-written DuckDB',
  run: async (context) => {
    await mkdir(context.workDir, { recursive: true })
    const result: ScenarioResult = { rows: [], comparisons: [] }
    if (!await hasPandas()) {
      result.rows.push(blockedRow(SCENARIO, `pandas is not installed for ${PYTHON}: apt-get install -y --no-install-recommends python3-pandas`))
      return result
    }
    const sizes = context.size === 'smoke' ? [[300, 1]] : [[1_000_000, 3], [10_000_000, 2]]
    for (const [invoices, reps] of sizes) await measureSize(context, invoices ?? 0, reps ?? 1, result)
    return result
  }
}
