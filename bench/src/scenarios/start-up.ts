import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { ROOT } from '../harness/child.ts'
import { repetitions, type BenchContext, type Scenario } from '../harness/context.ts'
import { ensureDataset } from '../harness/datasets.ts'
import { compare, type ScenarioResult } from '../harness/result.ts'
import { measuredRow, pairedRatio } from '../harness/rows.ts'
import { alternation } from '../harness/stats.ts'
import { SERVICE_ENTRIES, sharedTopology, type BenchTopology } from '../harness/topology.ts'

const SCENARIO = '8 start-up'
const TARGET = '<= 1.3'

/** Milliseconds from spawning `node <args>` to the first output matching `marker`; the process is then ended. */
async function timeToOutput (args: string[], marker: RegExp): Promise<number> {
  return await new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let seen = false
    let output = ''
    const look = (chunk: Buffer): void => {
      output += chunk.toString()
      if (seen || !marker.test(output)) return
      seen = true
      resolve(performance.now() - started)
      child.kill('SIGKILL')
    }
    child.stdout.on('data', look)
    child.stderr.on('data', look)
    child.once('exit', () => { if (!seen) reject(new Error(`no "${String(marker)}" in the output: ${output.slice(-1000)}`)) })
  })
}

/** Milliseconds from spawning a service to its /readyz answering 200. */
async function timeToReady (topology: BenchTopology, name: string, entry: string): Promise<number> {
  const started = performance.now()
  await topology.start(name, entry)
  const ms = performance.now() - started
  await topology.stop(name)
  return ms
}

async function measurePair (context: BenchContext, result: ScenarioResult, label: string, reps: number, measure: { kalla: () => Promise<number>, bare: () => Promise<number> }): Promise<void> {
  const times: Record<'kalla' | 'bare', number[]> = { kalla: [], bare: [] }
  for (let rep = 0; rep < repetitions(context, reps); rep++) {
    for (const name of alternation(['kalla', 'bare'] as const, rep)) times[name].push(await measure[name]())
  }
  const asRuns = (ms: number[]): { ms: number, peakRssMb: number, cpuMs: number }[] => ms.map((m) => ({ ms: m, peakRssMb: 0, cpuMs: 0 }))
  result.rows.push(measuredRow(SCENARIO, label, 'kalla', asRuns(times.kalla), 0), measuredRow(SCENARIO, label, 'bare Node + DuckDB', asRuns(times.bare), 0))
  const ratio = pairedRatio(times.kalla, times.bare)
  result.comparisons.push(compare(SCENARIO, label, 'time kalla / bare Node + DuckDB', ratio.median, TARGET, `pairs ${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}`))
  context.log(`${label}: ratio ${ratio.median.toFixed(2)}`)
}

export const startUp: Scenario = {
  number: 8,
  id: 'start-up',
  title: 'Start-up to the first useful work against a bare Node process that opens DuckDB',
  run: async (context) => {
    await mkdir(context.workDir, { recursive: true })
    const result: ScenarioResult = { rows: [], comparisons: [] }
    const data = await ensureDataset(context, 300)
    const out = await mkdtemp(join(context.workDir, 'start-up-'))
    try {
      const match = ['libs/cli/src/main.ts', 'match', join(ROOT, 'examples/recipes/one-to-one.json'), '--source', `invoices=${data.invoicesPath}`, '--source', `payments=${data.paymentsPath}`, '--out', out]
      await measurePair(context, result, 'kalla match to reading its first source', 8, {
        kalla: async () => await timeToOutput(match, /Reading invoices/),
        bare: async () => await timeToOutput(['bench/src/children/bare-duckdb-open.ts'], /opened/)
      })
      const topology = await sharedTopology(context)
      for (const name of ['sources', 'recipes', 'runs', 'matcher', 'gateway'] as const) {
        await measurePair(context, result, `${name} service to /readyz`, 4, {
          kalla: async () => await timeToReady(topology, `start-up-${name}`, SERVICE_ENTRIES[name]),
          bare: async () => await timeToReady(topology, 'start-up-bare', 'bench/src/children/bare-service.ts')
        })
      }
    } finally {
      await rm(out, { recursive: true, force: true })
    }
    return result
  }
}
