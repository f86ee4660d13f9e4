import { execFile, spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ROOT } from '../harness/child.ts'
import { repetitions, type BenchContext, type Scenario } from '../harness/context.ts'
import { ensureDataset } from '../harness/datasets.ts'
import { compare, type ScenarioResult } from '../harness/result.ts'
import { measuredRow, pairedRatio } from '../harness/rows.ts'
import { SERVICE_ENTRIES, sharedTopology, type BenchTopology } from '../harness/topology.ts'

const SCENARIO = '8 start-up'
const TARGET = '<= 1.3'
// Linux's USER_HZ, the unit of utime and stime in /proc/<pid>/stat.
const CLOCK_TICKS = 100

interface Start { ms: number, cpuMs: number }

/** CPU time (user + system) a live process has used so far, from /proc: what a busy machine disturbs least. */
async function cpuSoFar (pid: number | undefined): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 1000 / CLOCK_TICKS
}

/** Time and CPU from spawning `node <args>` to the first output matching `marker`; the process is then ended. */
async function timeToOutput (args: string[], marker: RegExp): Promise<Start> {
  return await new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let seen = false
    let output = ''
    const look = (chunk: Buffer): void => {
      output += chunk.toString()
      if (seen || !marker.test(output)) return
      seen = true
      const ms = performance.now() - started
      child.stdout.pause()
      child.stderr.pause()
      cpuSoFar(child.pid).then((cpuMs) => { resolve({ ms, cpuMs }) }, reject).finally(() => child.kill('SIGKILL'))
    }
    child.stdout.on('data', look)
    child.stderr.on('data', look)
    child.once('exit', () => { if (!seen) reject(new Error(`no "${String(marker)}" in the output: ${output.slice(-1000)}`)) })
  })
}

/** Time and CPU from spawning a service to its /readyz answering 200. */
async function timeToReady (topology: BenchTopology, name: string, entry: string): Promise<Start> {
  const started = performance.now()
  const service = await topology.start(name, entry)
  const ms = performance.now() - started
  const cpuMs = await cpuSoFar(service.child.pid)
  await topology.stop(name)
  return { ms, cpuMs }
}

type Variant = 'kalla' | 'unbundled' | 'bare'
const VARIANT_NAMES: Record<Variant, string> = { kalla: 'kalla', unbundled: 'kalla unbundled (its code run from source)', bare: 'bare Node + DuckDB' }

/** ABC then CBA: each variant runs as often first as last, next to the others under the same load. */
function rotation (rep: number): Variant[] {
  return rep % 2 === 0 ? ['kalla', 'unbundled', 'bare'] : ['bare', 'unbundled', 'kalla']
}

async function measureVariants (context: BenchContext, result: ScenarioResult, label: string, reps: number, measure: Record<Variant, () => Promise<Start>>): Promise<void> {
  const starts: Record<Variant, Start[]> = { kalla: [], unbundled: [], bare: [] }
  for (let rep = 0; rep < repetitions(context, reps); rep++) {
    for (const name of rotation(rep)) starts[name].push(await measure[name]())
  }
  const asRuns = (runs: Start[]): { ms: number, peakRssMb: number, cpuMs: number }[] => runs.map((r) => ({ ...r, peakRssMb: 0 }))
  for (const name of ['kalla', 'unbundled', 'bare'] as const) result.rows.push(measuredRow(SCENARIO, label, VARIANT_NAMES[name], asRuns(starts[name]), 0))
  const ratios = (a: Variant, b: Variant, target: string): void => {
    const time = pairedRatio(starts[a].map((s) => s.ms), starts[b].map((s) => s.ms))
    const cpu = pairedRatio(starts[a].map((s) => s.cpuMs), starts[b].map((s) => s.cpuMs))
    result.comparisons.push(
      compare(SCENARIO, label, `time ${a} / ${b}`, time.median, target, `pairs ${time.min.toFixed(2)}–${time.max.toFixed(2)}`),
      compare(SCENARIO, label, `CPU ${a} / ${b}`, cpu.median, target, `pairs ${cpu.min.toFixed(2)}–${cpu.max.toFixed(2)}`)
    )
  }
  ratios('kalla', 'bare', TARGET)
  ratios('unbundled', 'bare', 'none')
  const cpu = pairedRatio(starts.kalla.map((s) => s.cpuMs), starts.bare.map((s) => s.cpuMs))
  const unbundled = pairedRatio(starts.unbundled.map((s) => s.cpuMs), starts.bare.map((s) => s.cpuMs))
  context.log(`${label}: CPU / bare ${cpu.median.toFixed(2)} bundled, ${unbundled.median.toFixed(2)} unbundled`)
}

/** The code a process entry launches (services/runs/src/server.ts runs ./serve.ts from its bundle). */
function launchedCode (entry: string): string {
  return entry.endsWith('/main.ts') ? entry.replace(/main\.ts$/, 'run.ts') : entry.replace(/server\.ts$/, 'serve.ts')
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
      const match = ['match', join(ROOT, 'examples/recipes/one-to-one.json'), '--source', `invoices=${data.invoicesPath}`, '--source', `payments=${data.paymentsPath}`, '--out', out]
      // Built before measuring: the first start after an edit builds its bundle, which is not start-up.
      await promisify(execFile)(process.execPath, ['libs/launch/src/build-all.ts'], { cwd: ROOT })
      await measureVariants(context, result, 'kalla match to reading its first source', 8, {
        kalla: async () => await timeToOutput(['libs/cli/src/main.ts', ...match], /Reading invoices/),
        unbundled: async () => await timeToOutput([launchedCode('libs/cli/src/main.ts'), ...match], /Reading invoices/),
        bare: async () => await timeToOutput(['bench/src/children/bare-duckdb-open.ts'], /opened/)
      })
      const topology = await sharedTopology(context)
      for (const name of ['sources', 'recipes', 'runs', 'matcher', 'gateway'] as const) {
        await measureVariants(context, result, `${name} service to /readyz`, 4, {
          kalla: async () => await timeToReady(topology, `start-up-${name}`, SERVICE_ENTRIES[name]),
          unbundled: async () => await timeToReady(topology, `start-up-${name}`, launchedCode(SERVICE_ENTRIES[name])),
          bare: async () => await timeToReady(topology, 'start-up-bare', 'bench/src/children/bare-service.ts')
        })
      }
    } finally {
      await rm(out, { recursive: true, force: true })
    }
    return result
  }
}
