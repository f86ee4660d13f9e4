// `npm run bench -- [scenario ...] [--smoke] [--reps N] [--out DIR]`: runs the benchmark scenarios (all by
// default; by number or name: engine, services, postgres, scale, gateway, scale-out) and writes a Markdown
// report to bench/results/<date>-<machine>.md.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { ROOT } from './harness/child.ts'
import type { BenchContext } from './harness/context.ts'
import { describeMachine } from './harness/machine.ts'
import { renderReport } from './harness/report.ts'
import { runScenario, type ScenarioOutcome } from './run-scenario.ts'
import { findScenario, SCENARIOS } from './scenarios/index.ts'
import { closeSharedTopology } from './harness/topology.ts'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    smoke: { type: 'boolean', default: false },
    reps: { type: 'string' },
    out: { type: 'string', default: join(ROOT, 'bench/results') },
    help: { type: 'boolean', short: 'h' }
  }
})
if (values.help === true) {
  process.stdout.write(`Usage: npm run bench -- [scenario ...] [--smoke] [--reps N] [--out DIR]\nScenarios: ${SCENARIOS.map((s) => `${s.number} ${s.id}`).join(', ')}\n`)
  process.exit(0)
}
const chosen = positionals.length === 0 ? SCENARIOS : positionals.map((name) => findScenario(name) ?? usage(`unknown scenario "${name}"`))
const context: BenchContext = {
  size: values.smoke ? 'smoke' : 'full',
  ...(values.reps === undefined ? {} : { reps: Number(values.reps) }),
  dataDir: join(ROOT, 'bench/data'),
  workDir: join(ROOT, 'bench/data/work', String(process.pid)),
  log: (line) => { process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`) }
}
const machine = await describeMachine()
const date = new Date().toISOString().slice(0, 10)
const scenarios: ScenarioOutcome[] = []
const path = join(values.out, `${date}-${machine.name}${values.smoke ? '-smoke' : ''}.md`)
await mkdir(values.out, { recursive: true })
for (const scenario of chosen) {
  context.log(`scenario ${scenario.number}: ${scenario.title}`)
  scenarios.push(await runScenario(scenario, context))
  // Written after every scenario, so a long run leaves its numbers so far; scenarios measured by another
  // run of the same day on this machine are kept from the JSON beside the report.
  const merged = [...(await earlier(path)).filter((e) => !scenarios.some((s) => s.number === e.number)), ...scenarios].sort((a, b) => a.number - b.number)
  await writeFile(path.replace(/\.md$/, '.json'), JSON.stringify({ date, machine, size: context.size, scenarios: merged }, null, 2) + '\n')
  await writeFile(path, renderReport({ date, machine, size: context.size, scenarios: merged }))
}
await closeSharedTopology(context)
await rm(context.workDir, { recursive: true, force: true })
context.log(`report: ${path}`)

async function earlier (report: string): Promise<ScenarioOutcome[]> {
  const text = await readFile(report.replace(/\.md$/, '.json'), 'utf8').catch(() => undefined)
  return text === undefined ? [] : (JSON.parse(text) as { scenarios: ScenarioOutcome[] }).scenarios
}

function usage (message: string): never {
  process.stderr.write(`bench: ${message}\n`)
  process.exit(2)
}
