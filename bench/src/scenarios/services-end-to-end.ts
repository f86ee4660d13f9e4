import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { freePort, startServiceProcess, TEST_ADMIN_KEY, type ServiceProcess } from '@kalla/testing'
import { checkExit, ROOT, runNode } from '../harness/child.ts'
import { repetitions, type BenchContext, type Scenario } from '../harness/context.ts'
import { ensureDataset, sizeLabel, type Dataset } from '../harness/datasets.ts'
import { gatewayMissing, servesGraphql } from '../harness/gateway.ts'
import { followRun, gql, OPERATIONS, recipeInput, wsClient } from '../harness/graphql.ts'
import { blockedRow, compare, type ResultRow, type ScenarioResult } from '../harness/result.ts'
import { measuredRow, pairedRatio } from '../harness/rows.ts'
import { benchRecipe, uploadDataset } from '../harness/runs.ts'
import { SERVICE_ENTRIES, sharedTopology, type BenchTopology } from '../harness/topology.ts'

const SCENARIO = '2 services end to end'

interface Target { name: string, graphql: string, uploads: string, files?: { alias: string, upload_id: string }[] }

/** Uploads the data and saves the recipe through the gateway: setup, not timed. */
async function prepare (target: Target, data: Dataset): Promise<void> {
  const recipe = await benchRecipe()
  await gql(target.graphql, OPERATIONS.saveRecipe, { input: recipeInput(recipe) })
  target.files = await uploadDataset(target.uploads, data)
}

/** From the startRun mutation to the COMPLETED step of its runProgress subscription. */
async function runThroughGateway (target: Target): Promise<number> {
  const client = wsClient(target.graphql)
  try {
    const started = performance.now()
    const files = (target.files ?? []).map((f) => ({ alias: f.alias, uploadId: f.upload_id }))
    const { startRun } = await gql<{ startRun: { runId: string } }>(target.graphql, OPERATIONS.startRun, { input: { recipeId: 'bench-one-to-one', files } })
    const status = await followRun(client, startRun.runId)
    if (status !== 'COMPLETED') throw new Error(`the run through ${target.name} ended ${status}`)
    return performance.now() - started
  } finally {
    await client.dispose()
  }
}

async function engineTime (context: BenchContext, data: Dataset): Promise<number> {
  const out = await mkdtemp(join(context.workDir, 'e2e-'))
  try {
    const run = await runNode(['libs/cli/src/main.ts', 'match', join(ROOT, 'examples/recipes/one-to-one.json'), '--source', `invoices=${data.invoicesPath}`, '--source', `payments=${data.paymentsPath}`, '--out', out, '--json'])
    checkExit('kalla match', run)
    return run.ms
  } finally {
    await rm(out, { recursive: true, force: true })
  }
}

async function startSingle (context: BenchContext): Promise<ServiceProcess> {
  const port = await freePort()
  const dataDir = await mkdtemp(join(context.workDir, 'single-'))
  return await startServiceProcess({ name: 'single', args: [SERVICE_ENTRIES.single], env: { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', KALLA_DATA_DIR: dataDir, KALLA_ADMIN_KEY: TEST_ADMIN_KEY }, port, cwd: ROOT, readyTimeoutMs: 120_000 })
    .then((p) => Object.assign(p, { port }))
}

async function startScaled (context: BenchContext): Promise<BenchTopology> {
  const topology = await sharedTopology(context)
  await topology.ensure('gateway', SERVICE_ENTRIES.gateway)
  return topology
}

/**
 * The 1M one-to-one run submitted through the gateway, in single mode (one process, in-process bus,
 * PGlite) and in scaled mode (each service a process, NATS, Postgres), against `kalla match` on the same
 * files; the three alternate within each repetition.
 */
export const servicesEndToEnd: Scenario = {
  number: 2,
  id: 'services',
  title: 'End to end through the services (startRun to COMPLETED)',
  run: async (context) => {
    const missing = gatewayMissing()
    if (missing !== undefined) return { rows: [blockedRow(SCENARIO, missing)], comparisons: [] }
    await mkdir(context.workDir, { recursive: true })
    const data = await ensureDataset(context, context.size === 'smoke' ? 300 : 1_000_000)
    // One after the other: starting both at once on a busy 2-core machine can outlast the readiness wait.
    const scaled = await startScaled(context)
    const single = await startSingle(context) as ServiceProcess & { port: number }
    try {
      const targets: Target[] = [
        { name: 'single mode', graphql: `http://127.0.0.1:${single.port}/graphql`, uploads: `http://127.0.0.1:${single.port}/uploads` },
        { name: 'scaled mode', graphql: `http://127.0.0.1:${scaled.port('gateway')}/graphql`, uploads: `http://127.0.0.1:${scaled.port('gateway')}/uploads` }
      ]
      return await measure(context, data, targets)
    } finally {
      await single.stop('SIGTERM')
    }
  }
}

async function measure (context: BenchContext, data: Dataset, targets: Target[]): Promise<ScenarioResult> {
  const label = `one-to-one, ${sizeLabel(data.invoices)} invoices`
  const rows: ResultRow[] = []
  const ready: Target[] = []
  for (const target of targets) {
    if (!await servesGraphql(target.graphql)) { rows.push({ ...blockedRow(SCENARIO, `blocked: ${target.name} does not serve POST /graphql yet`), case: label, variant: `gateway, ${target.name}` }); continue }
    await prepare(target, data)
    await runThroughGateway(target)
    ready.push(target)
  }
  const times = new Map<string, number[]>([['engine', []], ...ready.map((t) => [t.name, []] as [string, number[]])])
  const variants = [['engine', () => engineTime(context, data)] as const, ...ready.map((t) => [t.name, () => runThroughGateway(t)] as const)]
  for (let rep = 0; rep < repetitions(context, 3); rep++) {
    // Rotated each repetition, so no variant always runs first.
    for (const [name, variant] of [...variants.slice(rep % variants.length), ...variants.slice(0, rep % variants.length)]) {
      times.get(name)!.push(await variant())
      context.log(`${label}: ${name} ${(times.get(name)!.at(-1)! / 1000).toFixed(2)} s`)
    }
  }
  const total = data.invoices + data.payments
  const engine = times.get('engine')!
  rows.unshift(measuredRow(SCENARIO, label, 'kalla match (engine, scenario 1)', engine.map((ms) => ({ ms, peakRssMb: 0, cpuMs: 0 })), total))
  const comparisons = ready.map((t) => {
    const ratio = pairedRatio(times.get(t.name)!, engine)
    rows.push(measuredRow(SCENARIO, label, `gateway, ${t.name}`, times.get(t.name)!.map((ms) => ({ ms, peakRssMb: 0, cpuMs: 0 })), total, { note: 'startRun mutation to the COMPLETED runProgress step; uploads not timed' }))
    return compare(SCENARIO, label, `time ${t.name} / kalla match`, ratio.median, '<= 1.3', `pairs ${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}`)
  })
  return { rows, comparisons }
}
