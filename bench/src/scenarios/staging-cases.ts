import type { BenchContext } from '../harness/context.ts'
import { repetitions } from '../harness/context.ts'
import { ensureDataset, sizeLabel } from '../harness/datasets.ts'
import { compare, type Comparison, type ResultRow } from '../harness/result.ts'
import { measuredRow, pairedRatio } from '../harness/rows.ts'
import { ENGINE_DIR, rotation, stagedFilePath, stageOnce, type StagedFile, type StageRun, type StageVariant } from '../harness/staging.ts'
import { summarize } from '../harness/stats.ts'

const SCENARIO = '1 engine overhead'

interface Case { invoices: number, file: StagedFile, reps: number }

const FULL: Case[] = [1_000_000, 10_000_000].flatMap((invoices) => (['invoices.csv', 'payments.csv', 'invoices.parquet'] as const).map((file) => ({ invoices, file, reps: invoices > 1_000_000 ? 3 : 5 })))
const SMOKE: Case[] = [{ invoices: 300, file: 'invoices.csv', reps: 1 }]

const VARIANTS: StageVariant[] = [{ name: 'kalla staging', engine: ENGINE_DIR }, { name: 'raw DuckDB' }]

/**
 * Staging alone (the typing pass): one file read into a table by the engine's stageFile, which reads text
 * and types every column from every value, against one read_csv with the amounts typed DECIMAL (or one
 * read_parquet), each in a process of its own, alternated. Times are of the staging call inside the child.
 */
export async function measureStaging (context: BenchContext): Promise<{ rows: ResultRow[], comparisons: Comparison[] }> {
  const rows: ResultRow[] = []
  const comparisons: Comparison[] = []
  for (const kase of context.size === 'smoke' ? SMOKE : FULL) {
    const data = await ensureDataset(context, kase.invoices)
    const path = await stagedFilePath(data, kase.file)
    const label = `staging ${kase.file}, ${sizeLabel(kase.invoices)} invoices`
    const runs = new Map<string, StageRun[]>(VARIANTS.map((v) => [v.name, []]))
    for (let rep = 0; rep < repetitions(context, kase.reps); rep++) {
      for (const variant of rotation(VARIANTS, rep)) runs.get(variant.name)!.push(await stageOnce(variant, kase.file, path))
    }
    const [kalla, raw] = VARIANTS.map((v) => runs.get(v.name)!) as [StageRun[], StageRun[]]
    const agree = kalla.every((r, i) => JSON.stringify(r.types) === JSON.stringify(raw[i]?.types) && r.rows === raw[i]?.rows)
    const note = agree ? `both give ${kalla[0]?.rows ?? 0} rows of the same types` : `TYPES DIFFER: kalla ${JSON.stringify(kalla[0]?.types)}, raw ${JSON.stringify(raw[0]?.types)}`
    const staged = (r: StageRun): StageRun => ({ ...r, ms: r.stageMs, cpuMs: r.stageCpuMs })
    const kallaRow = measuredRow(SCENARIO, label, 'kalla staging', kalla.map(staged), kalla[0]?.rows ?? 0, { note })
    if (!agree) kallaRow.status = 'failed'
    rows.push(kallaRow, measuredRow(SCENARIO, label, 'raw DuckDB', raw.map(staged), raw[0]?.rows ?? 0))
    const wall = pairedRatio(kalla.map((r) => r.stageMs), raw.map((r) => r.stageMs))
    const cpu = summarize(kalla.map((r, i) => r.stageCpuMs / (raw[i]?.stageCpuMs ?? Number.NaN)))
    comparisons.push(compare(SCENARIO, label, 'staging time kalla / raw DuckDB', wall.median, 'none', `pairs ${wall.min.toFixed(2)}–${wall.max.toFixed(2)}; CPU-time ratio ${cpu.median.toFixed(2)}`))
  }
  return { rows, comparisons }
}
