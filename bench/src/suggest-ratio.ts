// `node bench/src/suggest-ratio.ts [rows ...] [--reps N] [--label L]`: how long a recipe suggestion takes
// against a run of the recipe it suggests, on the generator's data with its default mix of patterns (rows
// invoices per side; payments follow from the shares). Writes bench/results/<date>-suggest-<machine>[-L].{md,json}.
//
// Both sides are called in this process under the same conditions: each opens its own DuckDB sandbox (two
// threads) and closes it, both are warmed up once untimed, and the repetitions alternate which goes first.
// Wall time is performance.now() around the call; CPU time is process.cpuUsage() (user + system, every
// thread of the process: JavaScript and DuckDB) around it, steadier than wall time on a shared machine.
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { hostname, loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { generateDataset } from '@kalla/datagen'
import { DEFAULT_SAMPLE_ROWS, runJob, suggestRecipes, type Suggestion } from '@kalla/engine'
import { recipeJob, type Recipe } from '@kalla/proto'

const { values, positionals } = parseArgs({ allowPositionals: true, options: { reps: { type: 'string', default: '3' }, label: { type: 'string' } } })
const sizes = positionals.length > 0 ? positionals.map(Number) : [100_000, 1_000_000]
const reps = Number(values.reps)
const root = new URL('../../', import.meta.url).pathname
const work = join(root, 'bench/data/suggest')

interface Timed { wallMs: number, cpuMs: number }
interface Row { rows: number, payments: number, suggest: Timed[], run: Timed[], ratio: number, cpuRatio: number, best: string, load: number[] }

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function timed (work: () => Promise<unknown>): Promise<Timed> {
  const cpu = process.cpuUsage()
  const t0 = performance.now()
  await work()
  const wallMs = performance.now() - t0
  const used = process.cpuUsage(cpu)
  return { wallMs, cpuMs: (used.user + used.system) / 1000 }
}

async function measure (rows: number): Promise<Row> {
  const dir = join(work, String(rows))
  const data = await generateDataset({ outDir: dir, invoices: rows, seed: 20261201, formats: ['csv'] })
  const left = { alias: 'invoices', type: 'file' as const, uri: data.invoicesPath }
  const right = { alias: 'payments', type: 'file' as const, uri: data.paymentsPath }
  let best: Suggestion | undefined
  const suggest = async (): Promise<void> => {
    best = (await suggestRecipes(left, right, { workDir: join(dir, 'work') })).suggestions[0]
    if (best === undefined) throw new Error('no suggestion')
  }
  const run = async (name: string): Promise<void> => {
    const { job } = recipeJob(best!.recipe as Recipe, { invoices: { uri: data.invoicesPath, type: 'file' }, payments: { uri: data.paymentsPath, type: 'file' } }, { run_id: `bench-${name}`, output_path: join(dir, `out-${name}`) })
    await runJob(job!, { workDir: join(dir, 'work') })
    await rm(join(dir, `out-${name}`), { recursive: true, force: true })
  }
  await suggest()
  await run('warm-up')
  const times = { suggest: [] as Timed[], run: [] as Timed[] }
  const load: number[] = []
  for (let rep = 0; rep < reps; rep++) {
    if (rep % 2 === 0) times.suggest.push(await timed(suggest))
    times.run.push(await timed(async () => { await run(String(rep)) }))
    if (rep % 2 === 1) times.suggest.push(await timed(suggest))
    load.push(loadavg()[0]!)
  }
  const ratio = (k: keyof Timed): number => median(times.suggest.map((t) => t[k])) / median(times.run.map((t) => t[k]))
  return { rows, payments: data.rows.payments, ...times, ratio: ratio('wallMs'), cpuRatio: ratio('cpuMs'), best: `${best!.pattern}: ${best!.recipe.match_sql}`, load }
}

const results: Row[] = []
for (const rows of sizes) {
  process.stderr.write(`[suggest bench] ${rows} rows\n`)
  results.push(await measure(rows))
}
const date = new Date().toISOString().slice(0, 10)
const name = `${date}-suggest-${hostname().split('.')[0]}${values.label === undefined ? '' : `-${values.label}`}`
await mkdir(join(root, 'bench/results'), { recursive: true })
await writeFile(join(root, 'bench/results', `${name}.json`), JSON.stringify({ date, reps, sampleRows: DEFAULT_SAMPLE_ROWS, results }, null, 2) + '\n')
const ms = (xs: Timed[], k: keyof Timed): string => xs.map((x) => Math.round(x[k])).join(', ')
const table = [
  `# Recipe suggestion against a run of the suggested recipe, ${date}`, '',
  `On the generator's default mix; the suggestion reads the first ${DEFAULT_SAMPLE_ROWS.toLocaleString('en-US')} rows of each side, the run reads every row.`,
  'Both are called in one process, each with its own two-thread DuckDB sandbox, after one untimed warm-up of each,',
  'alternating which goes first. Wall: performance.now(); CPU: process.cpuUsage(), user + system of every thread.',
  'Target: suggestion / run <= 0.5 (ratio of the medians over the repetitions).', '',
  '| invoices | payments | suggest wall ms | run wall ms | wall ratio | suggest CPU ms | run CPU ms | CPU ratio | met (wall) | load 1m | best suggestion |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
  ...results.map((r) => `| ${r.rows.toLocaleString('en-US')} | ${r.payments.toLocaleString('en-US')} | ${ms(r.suggest, 'wallMs')} | ${ms(r.run, 'wallMs')} | ${r.ratio.toFixed(2)} | ${ms(r.suggest, 'cpuMs')} | ${ms(r.run, 'cpuMs')} | ${r.cpuRatio.toFixed(2)} | ${r.ratio <= 0.5 ? 'yes' : '**no**'} | ${r.load.map((l) => l.toFixed(1)).join(', ')} | ${r.best.split(':')[0]} |`)
]
await writeFile(join(root, 'bench/results', `${name}.md`), table.join('\n') + '\n')
process.stdout.write(table.join('\n') + '\n')
await rm(work, { recursive: true, force: true })
