// Runs one job with runJob, like `kalla match` but with an engine chosen by path (to compare an engine
// change before and after in one run) and with the moments each stage began and ended, from the engine's
// own progress events. Prints {"completed": RunCompleted, "marks": {label: ms since start}, "cpuMarks":
// {label: ms of CPU since the process started}} as JSON; `--trace` adds "statements", every DuckDB statement
// with the stage it ran in, its wall time and the process's CPU meanwhile (harness/trace-statements.ts).
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import type * as Engine from '@kalla/engine'
import { traceStatements, type TracedStatement } from '../harness/trace-statements.ts'
import { recipeJob, sourceTypeOf, type Recipe, type RunProgress, type SourceBinding } from '@kalla/proto'

const { values } = parseArgs({
  options: {
    engine: { type: 'string' },
    recipe: { type: 'string' },
    source: { type: 'string', multiple: true },
    out: { type: 'string' },
    'memory-limit': { type: 'string', default: '2GB' },
    'work-dir': { type: 'string' },
    explain: { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
    // Connections reading one Postgres table (1: one stream, as before parallel reads), for scenario 3.
    'pg-readers': { type: 'string' }
  }
})
const started = performance.now()
let stage = 'validating'
const statements: TracedStatement[] | undefined = values.trace ? traceStatements(() => stage) : undefined
const engine = values.engine === undefined ? await import('@kalla/engine') : await import(pathToFileURL(resolve(values.engine)).href) as typeof Engine
// An engine of an earlier commit may not have the knob; it then reads as it always did.
if (values['pg-readers'] !== undefined && engine.postgresParallelReads !== undefined) engine.postgresParallelReads.readers = Number(values['pg-readers'])
const recipe = JSON.parse(await readFile(values.recipe ?? '', 'utf8')) as Recipe
const bindings: Record<string, SourceBinding> = {}
for (const pair of values.source ?? []) {
  const at = pair.indexOf('=')
  const value = pair.slice(at + 1)
  const type = sourceTypeOf(value)
  bindings[pair.slice(0, at)] = { uri: type === 'file' ? resolve(value) : value, type }
}
const built = recipeJob(recipe, bindings, { run_id: 'bench', output_path: resolve(values.out ?? 'out') })
if (built.job === undefined) throw new Error(`unbound sources: ${built.unbound.join(', ')}`)
const marks: Record<string, number> = {}
// The process's CPU time (every thread, DuckDB's included) at the same moments, for CPU per stage.
const cpuMarks: Record<string, number> = {}
const cpuNow = (): number => { const used = process.cpuUsage(); return Math.round((used.user + used.system) / 1000) }
const mark = (label: string): void => {
  marks[label] ??= Math.round(performance.now() - started)
  cpuMarks[label] ??= cpuNow()
}
const onProgress = (p: RunProgress): void => {
  const step = p.source === undefined ? p.stage : `${p.stage}:${p.source}`
  stage = p.stage
  mark(`${step}:start`)
  // A Postgres source reports 0.9 when its COPY has ended and DuckDB starts reading the extract.
  if (p.progress >= 0.9) mark(`${step}:copied`)
  if (p.progress >= 1) mark(`${step}:done`)
}
const completed = await engine.runJob({ ...built.job, ...(values.explain === true ? { explain: true } : {}) }, {
  memoryLimit: values['memory-limit'] ?? '2GB',
  progressIntervalMs: 100,
  onProgress,
  ...(values['work-dir'] === undefined ? {} : { workDir: resolve(values['work-dir']) })
})
mark('end')
process.stdout.write(JSON.stringify({ completed, marks, cpuMarks, ...(statements === undefined ? {} : { statements }) }) + '\n')
