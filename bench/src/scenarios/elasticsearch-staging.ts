import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { checkExit, ROOT, runNode } from '../harness/child.ts'
import { repetitions, type Scenario } from '../harness/context.ts'
import { ensureDataset, sizeLabel } from '../harness/datasets.ts'
import { compare, type ScenarioResult } from '../harness/result.ts'
import { measuredRow, pairedRatio } from '../harness/rows.ts'
import { ENGINE_DIR, rotation, stageOnce, type StageRun } from '../harness/staging.ts'
import { summarize } from '../harness/stats.ts'

const SCENARIO = '10 elasticsearch staging'
const FULL = [{ invoices: 1_000_000, reps: 3 }]
const SMOKE = [{ invoices: 300, reps: 1 }]

/** The stand-in node serving the invoices, started once per size; closed by ending its stdin. */
async function startStandIn (csv: string): Promise<{ url: string, documents: number, child: ChildProcess }> {
  const child = spawn(process.execPath, ['bench/src/children/elasticsearch-stand-in.ts', '--csv', csv], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout! })
  const exited = once(child, 'exit').then(() => { throw new Error('the stand-in Elasticsearch node exited before it was ready') })
  // Once ready, its later exit (when the scenario ends its stdin) is expected.
  exited.catch(() => {})
  const [line] = await Promise.race([once(lines, 'line'), exited]) as [string]
  return { ...(JSON.parse(line) as { url: string, documents: number }), child }
}

async function stageFromIndex (uri: string): Promise<StageRun> {
  const run = await runNode(['bench/src/children/stage-file.ts', '--engine', ENGINE_DIR, '--uri', uri])
  checkExit('staging from the stand-in', run)
  const out = JSON.parse(run.stdout) as { ms: number, cpuMs: number, rows: number, types: Record<string, string> }
  return { ...run, stageMs: out.ms, stageCpuMs: out.cpuMs, rows: out.rows, types: out.types }
}

/**
 * The engine staging the invoices from the stand-in Elasticsearch node (official client, point in time,
 * pages of 5,000 with search_after, numbers kept as text, typed from the mapping) against staging the same
 * rows from the local CSV file. The stand-in is Node serving from memory, not a cluster: the ratio measures
 * Kalla's side of the wire (client, page parsing, the pages file, DuckDB's load), not Elasticsearch's speed.
 */
export const elasticsearchStaging: Scenario = {
  number: 10,
  id: 'elasticsearch',
  title: 'Elasticsearch staging vs a local file',
  run: async (context) => {
    const result: ScenarioResult = { rows: [], comparisons: [] }
    for (const size of context.size === 'smoke' ? SMOKE : FULL) {
      const data = await ensureDataset(context, size.invoices)
      const standIn = await startStandIn(data.invoicesPath)
      try {
        const label = `${sizeLabel(size.invoices)} invoices`
        const uri = `${standIn.url}/invoices`
        const runs = { index: [] as StageRun[], file: [] as StageRun[] }
        const variants = [
          async () => { runs.index.push(await stageFromIndex(uri)) },
          async () => { runs.file.push(await stageOnce({ name: 'kalla staging', engine: ENGINE_DIR }, 'invoices.csv', data.invoicesPath)) }
        ]
        for (let rep = 0; rep < repetitions(context, size.reps); rep++) {
          for (const measure of rotation(variants, rep)) await measure()
          context.log(`${label}: from the stand-in ${(runs.index.at(-1)!.stageMs / 1000).toFixed(2)} s, from the CSV ${(runs.file.at(-1)!.stageMs / 1000).toFixed(2)} s`)
        }
        const staged = (r: StageRun): StageRun => ({ ...r, ms: r.stageMs, cpuMs: r.stageCpuMs })
        const agree = runs.index.every((r) => r.rows === standIn.documents) && runs.index[0]?.types.amount === runs.file[0]?.types.amount
        const note = `${runs.index[0]?.rows ?? 0} documents, amount ${runs.index[0]?.types.amount ?? '?'} (the CSV: ${runs.file[0]?.types.amount ?? '?'})`
        const indexRow = measuredRow(SCENARIO, label, 'kalla staging from the stand-in Elasticsearch', runs.index.map(staged), runs.index[0]?.rows ?? 0, { note })
        if (!agree) indexRow.status = 'failed'
        result.rows.push(indexRow, measuredRow(SCENARIO, label, 'kalla staging from invoices.csv', runs.file.map(staged), runs.file[0]?.rows ?? 0))
        const wall = pairedRatio(runs.file.map((r) => r.stageMs), runs.index.map((r) => r.stageMs))
        const cpu = summarize(runs.index.map((r, i) => r.stageCpuMs / (runs.file[i]?.stageCpuMs ?? Number.NaN)))
        result.comparisons.push(compare(SCENARIO, label, 'rows/s from the stand-in / from the CSV', wall.median, 'none', `pairs ${wall.min.toFixed(2)}–${wall.max.toFixed(2)}; stager CPU-time ratio ${cpu.median.toFixed(2)} (the stand-in's own CPU not counted)`))
      } finally {
        standIn.child.stdin?.end()
      }
    }
    return result
  }
}
