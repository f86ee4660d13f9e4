// `node bench/src/suggest-ratio.ts [rows ...] [--reps N]`: how long a recipe suggestion takes against a run
// of the recipe it suggests, on the generator's data with its default mix of patterns (rows invoices per
// side; payments follow from the shares). Writes bench/results/<date>-suggest-<machine>.{md,json}.
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { hostname, loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { generateDataset } from '@kalla/datagen'
import { runJob, suggestRecipes, type Suggestion } from '@kalla/engine'
import { recipeJob, type Recipe } from '@kalla/proto'

const { values, positionals } = parseArgs({ allowPositionals: true, options: { reps: { type: 'string', default: '3' } } })
const sizes = positionals.length > 0 ? positionals.map(Number) : [100_000, 1_000_000]
const reps = Number(values.reps)
const root = new URL('../../', import.meta.url).pathname
const work = join(root, 'bench/data/suggest')

interface Row { rows: number, payments: number, suggestMs: number[], runMs: number[], ratio: number, best: string, load: number[] }

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function measure (rows: number): Promise<Row> {
  const dir = join(work, String(rows))
  const data = await generateDataset({ outDir: dir, invoices: rows, seed: 20261201, formats: ['csv'] })
  const left = { alias: 'invoices', type: 'file' as const, uri: data.invoicesPath }
  const right = { alias: 'payments', type: 'file' as const, uri: data.paymentsPath }
  const suggestMs: number[] = []
  const runMs: number[] = []
  const load: number[] = []
  let best: Suggestion | undefined
  for (let rep = 0; rep < reps; rep++) {
    let t0 = performance.now()
    best = (await suggestRecipes(left, right, { workDir: join(dir, 'work') })).suggestions[0]
    suggestMs.push(performance.now() - t0)
    if (best === undefined) throw new Error('no suggestion')
    const { job } = recipeJob(best.recipe as Recipe, { invoices: { uri: data.invoicesPath, type: 'file' }, payments: { uri: data.paymentsPath, type: 'file' } }, { run_id: `bench-${rep}`, output_path: join(dir, `out-${rep}`) })
    t0 = performance.now()
    await runJob(job!, { workDir: join(dir, 'work') })
    runMs.push(performance.now() - t0)
    load.push(loadavg()[0]!)
    await rm(join(dir, `out-${rep}`), { recursive: true, force: true })
  }
  return { rows, payments: data.rows.payments, suggestMs, runMs, ratio: median(suggestMs) / median(runMs), best: `${best!.pattern}: ${best!.recipe.match_sql}`, load }
}

const results: Row[] = []
for (const rows of sizes) {
  process.stderr.write(`[suggest bench] ${rows} rows\n`)
  results.push(await measure(rows))
}
const date = new Date().toISOString().slice(0, 10)
const name = `${date}-suggest-${hostname().split('.')[0]}`
await mkdir(join(root, 'bench/results'), { recursive: true })
await writeFile(join(root, 'bench/results', `${name}.json`), JSON.stringify({ date, reps, results }, null, 2) + '\n')
const ms = (xs: number[]): string => xs.map((x) => Math.round(x)).join(', ')
const table = [
  `# Recipe suggestion against a run of the suggested recipe, ${date}`, '',
  'In-process wall-clock times (ms) on the generator\'s default mix; the suggestion reads the first 20,000 rows of each side,',
  'the run reads every row. Target: suggestion / run <= 0.5 (median over the repetitions).', '',
  '| invoices | payments | suggest ms (each rep) | run ms (each rep) | ratio (median) | met | load 1m | best suggestion |',
  '|---|---|---|---|---|---|---|---|',
  ...results.map((r) => `| ${r.rows.toLocaleString('en-US')} | ${r.payments.toLocaleString('en-US')} | ${ms(r.suggestMs)} | ${ms(r.runMs)} | ${r.ratio.toFixed(2)} | ${r.ratio <= 0.5 ? 'yes' : '**no**'} | ${r.load.map((l) => l.toFixed(1)).join(', ')} | ${r.best.split(':')[0]} |`)
]
await writeFile(join(root, 'bench/results', `${name}.md`), table.join('\n') + '\n')
process.stdout.write(table.join('\n') + '\n')
await rm(work, { recursive: true, force: true })
