import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
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

async function measurePair (context: BenchContext, result: ScenarioResult, label: string, reps: number, measure: { kalla: () => Promise<Start>, bare: () => Promise<Start> }): Promise<void> {
  const starts: Record<'kalla' | 'bare', Start[]> = { kalla: [], bare: [] }
  for (let rep = 0; rep < repetitions(context, reps); rep++) {
    for (const name of alternation(['kalla', 'bare'] as const, rep)) starts[name].push(await measure[name]())
  }
  const asRuns = (runs: Start[]): { ms: number, peakRssMb: number, cpuMs: number }[] => runs.map((r) => ({ ...r, peakRssMb: 0 }))
  result.rows.push(measuredRow(SCENARIO, label, 'kalla', asRuns(starts.kalla), 0), measuredRow(SCENARIO, label, 'bare Node + DuckDB', asRuns(starts.bare), 0))
  const ratio = pairedRatio(starts.kalla.map((s) => s.ms), starts.bare.map((s) => s.ms))
  const cpu = pairedRatio(starts.kalla.map((s) => s.cpuMs), starts.bare.map((s) => s.cpuMs))
  result.comparisons.push(
    compare(SCENARIO, label, 'time kalla / bare Node + DuckDB', ratio.median, TARGET, `pairs ${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}`),
    compare(SCENARIO, label, 'CPU kalla / bare Node + DuckDB', cpu.median, 'none', `pairs ${cpu.min.toFixed(2)}–${cpu.max.toFixed(2)}`)
  )
  context.log(`${label}: ratio ${ratio.median.toFixed(2)}, CPU ratio ${cpu.median.toFixed(2)}`)
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
