import { createReadStream } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { createTestDatabase } from '@kalla/testing'
import { checkExit, ROOT, runCommand, runNode, type Measured } from '../harness/child.ts'
import { repetitions, type BenchContext, type Scenario } from '../harness/context.ts'
import { ensureDataset, sizeLabel, type Dataset } from '../harness/datasets.ts'
import { compare, type ScenarioResult } from '../harness/result.ts'
import { measuredRow, pairedRatio } from '../harness/rows.ts'

const SCENARIO = '3 postgres staging'
const COLUMNS = 'invoice_id, customer_id, currency, amount, invoice_date, batch_ref'

interface Size { invoices: number, reps: number }
const FULL: Size[] = [{ invoices: 1_000_000, reps: 5 }, { invoices: 10_000_000, reps: 3 }]
const SMOKE: Size[] = [{ invoices: 300, reps: 1 }]

/** Loads the invoices CSV into a table typed as an ERP would type it, vacuumed so reads find no work to do. */
async function loadTable (url: string, table: string, csv: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(`CREATE TABLE ${table} (invoice_id text NOT NULL, customer_id text, currency text, amount numeric(12,2), invoice_date date, batch_ref text)`)
    await pipeline(createReadStream(csv), client.query(copyFrom(`COPY ${table} FROM STDIN WITH (FORMAT csv, HEADER true)`)))
    await client.query(`VACUUM (ANALYZE, FREEZE) ${table}`)
  } finally {
    await client.end()
  }
}

type Stage = Measured & { copyMs: number, stageMs: number }

/** Kalla stages the table (COPY into its temp dir, DuckDB reads it typed, keys checked); the other side is tiny. */
async function kallaStage (context: BenchContext, url: string, table: string, tiny: Dataset, readers?: number): Promise<Stage> {
  const out = await mkdtemp(join(context.workDir, 'pg-'))
  try {
    const source = new URL(url)
    source.searchParams.set('table', table)
    const run = await runNode(['bench/src/children/run-engine.ts', '--recipe', join(ROOT, 'examples/recipes/one-to-one.json'), '--source', `invoices=${source.toString()}`,
      '--source', `payments=${tiny.paymentsPath}`, '--out', join(out, 'out'), '--work-dir', join(out, 'work'), ...(readers === undefined ? [] : ['--pg-readers', String(readers)])])
    checkExit('kalla staging', run)
    const marks = (JSON.parse(run.stdout) as { marks: Record<string, number> }).marks
    const start = marks['staging:invoices:start'] ?? 0
    return { ...run, copyMs: (marks['staging:invoices:copied'] ?? 0) - start, stageMs: (marks['staging:invoices:done'] ?? 0) - start }
  } finally {
    await rm(out, { recursive: true, force: true })
  }
}

/** psql's client-side COPY of the same columns, in the same CSV format, thrown away. */
async function psqlCopy (url: string, table: string): Promise<Measured> {
  const run = await runCommand('psql', [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `\\copy (SELECT ${COLUMNS} FROM ${table}) to '/dev/null' with (format csv)`])
  checkExit('psql \\copy', run)
  return { ...run, peakRssMb: 0, cpuMs: 0 }
}

export const postgresStaging: Scenario = {
  number: 3,
  id: 'postgres',
  title: 'Postgres staging vs COPY',
  run: async (context) => {
    await mkdir(context.workDir, { recursive: true })
    const result: ScenarioResult = { rows: [], comparisons: [] }
    const database = await createTestDatabase()
    try {
      const tiny = await ensureDataset(context, 100)
      for (const size of context.size === 'smoke' ? SMOKE : FULL) {
        const data = await ensureDataset(context, size.invoices)
        const table = `bench_invoices_${size.invoices}`
        context.log(`loading ${sizeLabel(size.invoices)} invoices into Postgres`)
        await loadTable(database.url, table, data.invoicesPath)
        const label = `${sizeLabel(size.invoices)}-row table`
        const kalla: Stage[] = []
        const oneStream: Stage[] = []
        const copy: Measured[] = []
        const variants = [
          ['kalla', async () => { kalla.push(await kallaStage(context, database.url, table, tiny)) }],
          ['psql', async () => { copy.push(await psqlCopy(database.url, table)) }],
          ['one stream', async () => { oneStream.push(await kallaStage(context, database.url, table, tiny, 1)) }]
        ] as const
        for (let rep = 0; rep < repetitions(context, size.reps); rep++) {
          for (const [, measure] of rep % 2 === 0 ? variants : [...variants].reverse()) await measure() // ABC, CBA, ...
          context.log(`${label}: kalla staging ${(kalla.at(-1)!.stageMs / 1000).toFixed(2)} s, in one stream ${(oneStream.at(-1)!.stageMs / 1000).toFixed(2)} s (COPY part ${(oneStream.at(-1)!.copyMs / 1000).toFixed(2)} s), psql ${(copy.at(-1)!.ms / 1000).toFixed(2)} s, load ${loadavg()[0]!.toFixed(1)}`)
        }
        result.rows.push(
          measuredRow(SCENARIO, label, 'kalla: staging (COPY + DuckDB typed table + key checks)', kalla.map((k) => ({ ...k, ms: k.stageMs })), data.invoices, { note: 'peak RSS and CPU are the whole kalla process' }),
          measuredRow(SCENARIO, label, 'kalla in one stream (one connection, then DuckDB): staging', oneStream.map((k) => ({ ...k, ms: k.stageMs })), data.invoices),
          measuredRow(SCENARIO, label, 'kalla in one stream: COPY into the extract only', oneStream.map((k) => ({ ms: k.copyMs, peakRssMb: 0, cpuMs: 0 })), data.invoices),
          measuredRow(SCENARIO, label, 'psql \\copy to /dev/null', copy, data.invoices)
        )
        const staging = pairedRatio(copy.map((c) => c.ms), kalla.map((k) => k.stageMs))
        const single = pairedRatio(copy.map((c) => c.ms), oneStream.map((k) => k.stageMs))
        const copyOnly = pairedRatio(copy.map((c) => c.ms), oneStream.map((k) => k.copyMs))
        const cpu = pairedRatio(oneStream.map((k) => k.cpuMs), kalla.map((k) => k.cpuMs))
        result.comparisons.push(
          compare(SCENARIO, label, 'rows/s kalla staging / psql COPY', staging.median, '>= 1.0', `pairs ${staging.min.toFixed(2)}–${staging.max.toFixed(2)}`),
          compare(SCENARIO, label, 'rows/s kalla in one stream / psql COPY', single.median, 'none', `pairs ${single.min.toFixed(2)}–${single.max.toFixed(2)}`),
          compare(SCENARIO, label, 'rows/s kalla one stream COPY part / psql COPY', copyOnly.median, 'none', `pairs ${copyOnly.min.toFixed(2)}–${copyOnly.max.toFixed(2)}`),
          compare(SCENARIO, label, 'kalla process CPU, one stream / parallel', cpu.median, 'none', `pairs ${cpu.min.toFixed(2)}–${cpu.max.toFixed(2)}`)
        )
      }
    } finally {
      await database.drop()
    }
    return result
  }
}
