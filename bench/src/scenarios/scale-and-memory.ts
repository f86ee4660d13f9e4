import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { checkExit, ROOT, runNode, type Measured } from '../harness/child.ts'
import { repetitions, type Scenario } from '../harness/context.ts'
import { ensureDataset, sizeLabel } from '../harness/datasets.ts'
import { compare, type ScenarioResult } from '../harness/result.ts'
import { measuredRow, medians } from '../harness/rows.ts'
import { summarize } from '../harness/stats.ts'

const SCENARIO = '4 scale and memory'
const MEMORY_LIMIT_GB = 4

interface Size { invoices: number, reps: number }
const FULL: Size[] = [{ invoices: 1_000_000, reps: 3 }, { invoices: 10_000_000, reps: 2 }, { invoices: 50_000_000, reps: 1 }]
const SMOKE: Size[] = [{ invoices: 200, reps: 1 }, { invoices: 400, reps: 1 }]

/**
 * One-to-one at growing sizes with the engine limited to 4 GB: the largest does not fit and must spill
 * to the work directory. Time per row should stay about flat (linear growth), peak RSS near the limit.
 */
export const scaleAndMemory: Scenario = {
  number: 4,
  id: 'scale',
  title: 'Scale and memory (one-to-one, memory limit 4 GB)',
  run: async (context) => {
    const result: ScenarioResult = { rows: [], comparisons: [] }
    const perRow: { label: string, nsPerRow: number }[] = []
    for (const size of context.size === 'smoke' ? SMOKE : FULL) {
      const data = await ensureDataset(context, size.invoices)
      const label = `one-to-one, ${sizeLabel(size.invoices)} invoices`
      const runs: (Measured & { timings: Record<string, number> })[] = []
      for (let rep = 0; rep < repetitions(context, size.reps); rep++) {
        await mkdir(context.workDir, { recursive: true })
        const dir = await mkdtemp(join(context.workDir, 'scale-'))
        try {
          const run = await runNode(['libs/cli/src/main.ts', 'match', join(ROOT, 'examples/recipes/one-to-one.json'), '--source', `invoices=${data.invoicesPath}`,
            '--source', `payments=${data.paymentsPath}`, '--out', join(dir, 'out'), '--work-dir', join(dir, 'work'), '--memory-limit', `${MEMORY_LIMIT_GB}GB`, '--json'])
          checkExit('kalla match', run)
          runs.push({ ...run, timings: (JSON.parse(run.stdout) as { timings_ms: Record<string, number> }).timings_ms })
          context.log(`${label}: ${(run.ms / 1000).toFixed(1)} s, peak RSS ${run.peakRssMb.toFixed(0)} MB`)
        } finally {
          await rm(dir, { recursive: true, force: true })
        }
      }
      const rows = data.invoices + data.payments
      const stages = medians(runs.map((r) => r.timings), 1000, 1)
      const row = measuredRow(SCENARIO, label, `kalla match --memory-limit ${MEMORY_LIMIT_GB}GB`, runs, rows, { metrics: { 'staging s': stages.staging ?? 0, 'matching s': stages.matching ?? 0, 'writing s': stages.writing_results ?? 0 } })
      result.rows.push(row)
      perRow.push({ label, nsPerRow: summarize(runs.map((r) => r.ms)).median * 1e6 / rows })
      result.comparisons.push(compare(SCENARIO, label, 'peak RSS / memory limit', (row.peakRssMb ?? 0) / (MEMORY_LIMIT_GB * 1024), '<= 1.25'))
    }
    const base = perRow[0]
    for (const size of perRow.slice(1)) {
      if (base === undefined) break
      result.comparisons.push(compare(SCENARIO, size.label, `time per row / time per row at ${base.label.replace('one-to-one, ', '')}`, size.nsPerRow / base.nsPerRow, '<= 1.3', `${(size.nsPerRow / 1000).toFixed(2)} µs per row vs ${(base.nsPerRow / 1000).toFixed(2)} µs`))
    }
    return result
  }
}
