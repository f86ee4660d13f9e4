// `scripts/node bench/src/profile-gateway.ts [--seconds 10] [--out DIR]`: the gateway path of scenario 5's
// queries under a CPU profiler. Starts the scaled topology with `node --cpu-prof` on the gateway and the runs
// service, fills in 50 runs, loads `runs(limit: 50)` then `run(runId)` from 100 clients, and prints where
// each of the two processes spent its CPU during each query's load (self time, by package and by function).
// `--fan-out` adds a window with 1,000 graphql-ws clients following one 1M run, and prints how far apart the
// runs service published its states.
import { mkdir, readdir, rm } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createNatsBus, type Bus } from '@kalla/bus'
import { StartRun } from '@kalla/proto'
import { ROOT } from './harness/child.ts'
import { summarizeProfile } from './harness/cpu-profile.ts'
import { ensureDataset } from './harness/datasets.ts'
import { OPERATIONS } from './harness/graphql.ts'
import { loadGraphql } from './harness/http-load.ts'
import { bareFanOut, watchPublished } from './harness/fan-out.ts'
import { finalEvent, seedRuns, uploadDataset } from './harness/runs.ts'
import { fanOutResult, followMany } from './harness/subscribers.ts'
import { SERVICE_ENTRIES, startBenchTopology, startServices } from './harness/topology.ts'

const { values } = parseArgs({ options: { 'fan-out': { type: 'boolean', default: false }, seconds: { type: 'string', default: '10' }, out: { type: 'string', default: join(ROOT, 'bench/data/profiles') } } })
const out = join(values.out, new Date().toISOString().replace(/[:.]/g, '-'))
const workDir = join(ROOT, 'bench/data/work', `profile-${process.pid}`)
const log = (line: string): void => { process.stderr.write(`[profile] ${line}\n`) }
const profiled = values['fan-out'] ? ['gateway', 'runs', 'bare-fan-out'] : ['gateway', 'runs']
await mkdir(workDir, { recursive: true })
const topology = await startBenchTopology(workDir)
const windows: { name: string, fromUs: number, toUs: number }[] = []
try {
  const prof = (name: string) => ({ NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${join(out, name)}` })
  await startServices(topology, { runs: prof('runs') })
  await topology.start('gateway', SERVICE_ENTRIES.gateway, prof('gateway'))
  const base = `http://127.0.0.1:${topology.port('gateway')}`
  const graphql = `${base}/graphql`
  const data = await ensureDataset({ size: 'full', dataDir: join(ROOT, 'bench/data'), workDir, log }, 2000)
  const bus = await createNatsBus({ servers: topology.natsUrl, name: 'bench-profile' })
  const runId = await seedRuns(base, bus, data, 50).catch(async (error: unknown) => { await bus.close(); throw error })
  for (const [name, query, variables] of [['runs(limit: 50)', OPERATIONS.runs, {}], ['run(runId)', OPERATIONS.run, { runId }]] as const) {
    await loadGraphql(graphql, query, variables, { connections: 100, amount: 2000 })
    const fromUs = Number(process.hrtime.bigint() / 1000n)
    const load = await loadGraphql(graphql, query, variables, { connections: 100, seconds: Number(values.seconds) })
    windows.push({ name, fromUs, toUs: Number(process.hrtime.bigint() / 1000n) })
    log(`${name}: p50 ${load.p50} ms, p99 ${load.p99} ms, ${Math.round(load.requestsPerSec)} req/s, errors ${load.errors + load.non2xx}, load ${loadavg()[0]!.toFixed(1)}`)
  }
  if (values['fan-out']) {
    await profileFanOut(bus, base)
    await topology.start('bare-fan-out', 'bench/src/children/bare-fan-out.ts', prof('bare-fan-out'))
    await profileBareFanOut(`http://127.0.0.1:${topology.port('bare-fan-out')}`)
  }
  await bus.close()
} finally {
  await topology.close()
  await rm(workDir, { recursive: true, force: true })
}
for (const name of profiled) {
  const [file] = await readdir(join(out, name))
  if (file === undefined) { log(`no profile written for ${name}`); continue }
  for (const window of windows) {
    const summary = await summarizeProfile(join(out, name, file), window)
    process.stdout.write(`\n## ${name} during ${window.name}: ${summary.sampledMs} ms sampled\n\nby package:\n`)
    for (const p of summary.packages) process.stdout.write(`  ${String(p.ms).padStart(6)} ms  ${p.name}\n`)
    process.stdout.write('by function (self):\n')
    for (const f of summary.functions) process.stdout.write(`  ${String(f.ms).padStart(6)} ms  ${f.name}\n`)
  }
}
log(`profiles: ${out}`)

// 1,000 clients on a run queued behind another, so all are set up before it starts (as scenario 5 does).
async function profileFanOut (bus: Bus, base: string): Promise<void> {
  const big = await ensureDataset({ size: 'full', dataDir: join(ROOT, 'bench/data'), workDir, log }, 1_000_000)
  const files = await uploadDataset(`${base}/uploads`, big)
  const blocker = await bus.request(StartRun, { recipe_id: 'bench-one-to-one', files })
  const measured = await bus.request(StartRun, { recipe_id: 'bench-one-to-one', files })
  const watch = await watchPublished(bus, measured.run_id)
  const followers = await followMany(`${base}/graphql`, measured.run_id, 1000)
  const fromUs = Number(process.hrtime.bigint() / 1000n)
  await finalEvent(bus, blocker.run_id, 600_000)
  const result = fanOutResult(watch.published, followers.setUpAt, await followers.done)
  windows.push({ name: 'runProgress fan-out', fromUs, toUs: Number(process.hrtime.bigint() / 1000n) })
  await watch.stop()
  const at = [...watch.published.values()].filter((t) => t > followers.setUpAt).sort((a, b) => a - b)
  const gaps = at.slice(1).map((t, i) => Math.round(t - at[i]!))
  log(`fan-out: ${result.complete}/${result.clients} complete, ${result.steps} steps over ${Math.round(at.at(-1)! - at[0]!)} ms, p50 ${result.p50} ms, p99 ${result.p99} ms, load ${loadavg()[0]!.toFixed(1)}`)
  log(`gaps between published states (ms): ${gaps.join(' ')}`)
}

// The baseline's fan-out under the same profiler: what bare Mercurius spends on the same deliveries.
async function profileBareFanOut (url: string): Promise<void> {
  const fromUs = Number(process.hrtime.bigint() / 1000n)
  const result = await bareFanOut(url, 1000, 40, 100)
  windows.push({ name: 'bare runProgress fan-out', fromUs, toUs: Number(process.hrtime.bigint() / 1000n) })
  log(`bare fan-out: ${result.complete}/${result.clients} complete, ${result.steps} steps, p50 ${result.p50} ms, p99 ${result.p99} ms, load ${loadavg()[0]!.toFixed(1)}`)
}
