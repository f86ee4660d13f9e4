import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { checkExit, ROOT, runNode, type Measured } from '../harness/child.ts'
import { repetitions, type BenchContext, type Scenario } from '../harness/context.ts'
import { ensureDataset, sizeLabel, type Dataset } from '../harness/datasets.ts'
import { compare, type ScenarioResult } from '../harness/result.ts'
import { measuredRow, pairedRatio } from '../harness/rows.ts'
import { alternation } from '../harness/stats.ts'

const SCENARIO = '9 bigquery staging'

interface Size { invoices: number, reps: number }
const FULL: Size[] = [{ invoices: 1_000_000, reps: 3 }]
const SMOKE: Size[] = [{ invoices: 300, reps: 1 }]
// The real API caps a page at about 10 MB of JSON; 50,000 of these rows are about 5 MB.
const PAGE_ROWS = 50_000

type Stage = Measured & { stageMs: number }

/** The stand-in serving the dataset's invoices in a process of its own; resolves once it listens. */
async function startStandIn (data: Dataset): Promise<{ uri: string, child: ChildProcess }> {
  const child = spawn(process.execPath, ['bench/src/children/bigquery-stand-in.ts', '--csv', data.invoicesPath, '--page-rows', String(PAGE_ROWS)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  const [line] = await once(createInterface({ input: child.stdout! }), 'line') as [string]
  return { uri: (JSON.parse(line) as { uri: string }).uri, child }
}

/** Kalla stages the invoices from `uri` (the stand-in or the CSV file); the payments side is tiny. */
async function kallaStage (context: BenchContext, uri: string, tiny: Dataset): Promise<Stage> {
  const out = await mkdtemp(join(context.workDir, 'bq-'))
  try {
    const run = await runNode(['bench/src/children/run-engine.ts', '--recipe', join(ROOT, 'examples/recipes/one-to-one.json'), '--source', `invoices=${uri}`,
      '--source', `payments=${tiny.paymentsPath}`, '--out', join(out, 'out'), '--work-dir', join(out, 'work')])
    checkExit('kalla staging', run)
    const marks = (JSON.parse(run.stdout) as { marks: Record<string, number> }).marks
    return { ...run, stageMs: (marks['staging:invoices:done'] ?? 0) - (marks['staging:invoices:start'] ?? 0) }
  } finally {
    await rm(out, { recursive: true, force: true })
  }
}

export const bigQueryStaging: Scenario = {
  number: 9,
  id: 'bigquery',
  title: 'BigQuery staging (stand-in) vs the same rows from a file',
  run: async (context) => {
    await mkdir(context.workDir, { recursive: true })
    const result: ScenarioResult = { rows: [], comparisons: [] }
    const tiny = await ensureDataset(context, 100)
    for (const size of context.size === 'smoke' ? SMOKE : FULL) {
      const data = await ensureDataset(context, size.invoices)
      const standIn = await startStandIn(data)
      try {
        const label = `${sizeLabel(size.invoices)} invoices`
        const bigquery: Stage[] = []
        const file: Stage[] = []
        const variants = [['bigquery', async () => { bigquery.push(await kallaStage(context, standIn.uri, tiny)) }], ['file', async () => { file.push(await kallaStage(context, data.invoicesPath, tiny)) }]] as const
        for (let rep = 0; rep < repetitions(context, size.reps); rep++) {
          for (const [, measure] of alternation(variants, rep)) await measure()
          context.log(`${label}: staging from the BigQuery stand-in ${(bigquery.at(-1)!.stageMs / 1000).toFixed(2)} s, from invoices.csv ${(file.at(-1)!.stageMs / 1000).toFixed(2)} s`)
        }
        result.rows.push(
          measuredRow(SCENARIO, label, 'kalla: staging from the BigQuery stand-in (REST pages, CSV extract, DuckDB typed table)', bigquery.map((b) => ({ ...b, ms: b.stageMs })), data.invoices, { note: `pages of ${PAGE_ROWS.toLocaleString('en-US')} rows; the stand-in runs in its own process on the same machine` }),
          measuredRow(SCENARIO, label, 'kalla: staging invoices.csv', file.map((f) => ({ ...f, ms: f.stageMs })), data.invoices)
        )
        const ratio = pairedRatio(file.map((f) => f.stageMs), bigquery.map((b) => b.stageMs))
        result.comparisons.push(compare(SCENARIO, label, 'rows/s BigQuery stand-in / local CSV', ratio.median, 'none', `pairs ${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}`))
      } finally {
        standIn.child.kill('SIGTERM')
        await once(standIn.child, 'exit')
      }
    }
    return result
  }
}
