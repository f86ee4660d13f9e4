import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { checkExit, ROOT, runNode, type Measured } from '../harness/child.ts'
import { repetitions, type Scenario } from '../harness/context.ts'
import { ensureDataset, sizeLabel } from '../harness/datasets.ts'
import { compare, type ScenarioResult } from '../harness/result.ts'
import { measuredRow } from '../harness/rows.ts'
import { alternation, summarize } from '../harness/stats.ts'

const SCENARIO = '11 explain'
const FULL = { invoices: 1_000_000, reps: 2 }
const SMOKE = { invoices: 200, reps: 1 }

interface Explained extends Measured { unmatched: number, explainMs: number }

/**
 * One-to-one within 30 days (equality, tolerance and date window: every condition the explainer
 * measures) run with and without explaining its unmatched records, alternated ABBA: the time explaining
 * adds, as a ratio. Target: at most 50 % more.
 */
export const explainOverhead: Scenario = {
  number: 11,
  id: 'explain',
  title: 'Explaining unmatched records (one-to-one within 30 days)',
  run: async (context) => {
    const size = context.size === 'smoke' ? SMOKE : FULL
    const data = await ensureDataset(context, size.invoices)
    const label = `one-to-one-window, ${sizeLabel(size.invoices)} invoices`
    const runs: Record<'plain' | 'explained', Explained[]> = { plain: [], explained: [] }
    for (let rep = 0; rep < repetitions(context, size.reps); rep++) {
      for (const variant of alternation(['plain', 'explained'] as const, rep)) {
        await mkdir(context.workDir, { recursive: true })
        const dir = await mkdtemp(join(context.workDir, 'explain-'))
        try {
          const run = await runNode(['bench/src/children/run-engine.ts', '--recipe', join(ROOT, 'examples/recipes/one-to-one-window.json'),
            '--source', `invoices=${data.invoicesPath}`, '--source', `payments=${data.paymentsPath}`, '--out', join(dir, 'out'), '--work-dir', join(dir, 'work'),
            ...(variant === 'explained' ? ['--explain'] : [])])
          checkExit(`run-engine ${variant}`, run)
          const { completed } = JSON.parse(run.stdout) as { completed: { unmatched_left_count: number, unmatched_right_count: number, timings_ms: { explaining?: number } } }
          runs[variant].push({ ...run, unmatched: completed.unmatched_left_count + completed.unmatched_right_count, explainMs: completed.timings_ms.explaining ?? 0 })
          context.log(`${label} ${variant}: ${(run.ms / 1000).toFixed(1)} s`)
        } finally {
          await rm(dir, { recursive: true, force: true })
        }
      }
    }
    const rows = data.invoices + data.payments
    const result: ScenarioResult = { rows: [], comparisons: [] }
    for (const variant of ['plain', 'explained'] as const) {
      const measured = runs[variant]
      result.rows.push(measuredRow(SCENARIO, label, variant === 'plain' ? 'runJob' : 'runJob + explain', measured, rows, { metrics: { 'unmatched records': measured[0]?.unmatched ?? 0, 'explaining s': summarize(measured.map((r) => r.explainMs)).median / 1000 } }))
    }
    const ratio = summarize(runs.explained.map((r) => r.ms)).median / summarize(runs.plain.map((r) => r.ms)).median
    result.comparisons.push(compare(SCENARIO, label, 'time with explain / without', ratio, '<= 1.5', `${runs.explained[0]?.unmatched ?? 0} unmatched records explained`))
    return result
  }
}
