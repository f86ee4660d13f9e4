import { createNatsBus, type Bus } from '@kalla/bus'
import { StartRun } from '@kalla/proto'
import type { BenchContext, Scenario } from '../harness/context.ts'
import { ensureDataset, sizeLabel } from '../harness/datasets.ts'
import { gatewayMissing } from '../harness/gateway.ts'
import { gql, OPERATIONS, recipeInput } from '../harness/graphql.ts'
import { loadGraphql } from '../harness/http-load.ts'
import { blockedRow, compare, type ResultRow, type ScenarioResult } from '../harness/result.ts'
import { benchRecipe, drainRuns, finalEvent, uploadDataset } from '../harness/runs.ts'
import { quantile } from '../harness/stats.ts'
import { measureFanOut } from '../harness/subscribers.ts'
import { SERVICE_ENTRIES, sharedTopology } from '../harness/topology.ts'

const SCENARIO = '5 gateway'
const round = (x: number): number => Math.round(x * 10) / 10

/** The runs and run queries from many concurrent clients, autocannon measuring latency and throughput. */
async function queryLoad (context: BenchContext, graphql: string, runId: string): Promise<ScenarioResult> {
  const connections = context.size === 'smoke' ? 5 : 100
  const options = context.size === 'smoke' ? { connections, amount: 50 } : { connections, seconds: 15 }
  const result: ScenarioResult = { rows: [], comparisons: [] }
  for (const [name, query, variables] of [['runs(limit: 50)', OPERATIONS.runs, {}], ['run(runId)', OPERATIONS.run, { runId }]] as const) {
    await gql(graphql, query, variables)
    const load = await loadGraphql(graphql, query, variables, options)
    context.log(`${name}: p50 ${load.p50} ms, p99 ${load.p99} ms, ${load.requestsPerSec} req/s, errors ${load.errors}, non-2xx ${load.non2xx}`)
    const kase = `${name} query, ${connections} concurrent clients`
    result.rows.push({ scenario: SCENARIO, case: kase, variant: 'autocannon → gateway (scaled)', status: load.errors + load.non2xx === 0 ? 'ok' : 'failed', reps: 1, metrics: { 'p50 ms': load.p50, 'p99 ms': load.p99, 'max ms': load.max, 'requests/s': round(load.requestsPerSec), requests: load.requests, errors: load.errors, 'non-2xx': load.non2xx } })
    result.comparisons.push(compare(SCENARIO, kase, 'p99 latency ms', load.p99, '< 50'))
  }
  return result
}

/** Subscribers follow a run queued behind another, so every one of them is set up before it starts. */
async function fanOut (context: BenchContext, bus: Bus, graphql: string, uploads: string): Promise<ScenarioResult> {
  const smoke = context.size === 'smoke'
  const clients = smoke ? 10 : 1000
  const data = await ensureDataset(context, smoke ? 300 : 1_000_000)
  const files = await uploadDataset(uploads, data)
  const blocker = await bus.request(StartRun, { recipe_id: 'bench-one-to-one', files })
  const measured = await bus.request(StartRun, { recipe_id: 'bench-one-to-one', files })
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const fan = await measureFanOut(bus, graphql, measured.run_id, clients)
  context.log(`${fan.clients.ready} subscribers ready (${fan.clients.failed} failed)`)
  await finalEvent(bus, blocker.run_id, 600_000)
  await fan.done
  // The clients live in this process: its CPU share says whether the receiving side could keep up.
  const used = process.cpuUsage(cpu0)
  const clientCpu = Math.round((used.user + used.system) / 1000 / (performance.now() - t0) * 100)
  const kase = `runProgress, ${clients} subscribers on one run (${sizeLabel(data.invoices)} invoices)`
  const p99 = quantile(fan.delays, 0.99)
  const row: ResultRow = {
    scenario: SCENARIO,
    case: kase,
    variant: 'graphql-ws clients → gateway (scaled)',
    status: fan.delays.length > 0 && fan.clients.failed === 0 ? 'ok' : 'failed',
    reps: 1,
    metrics: { subscribers: fan.clients.ready, failed: fan.clients.failed, deliveries: fan.delays.length, 'p50 ms': round(quantile(fan.delays, 0.5)), 'p99 ms': round(p99), 'max ms': round(quantile(fan.delays, 1)), 'client process CPU %': clientCpu },
    note: 'delay from the event reaching a bus subscriber in the bench process to a websocket client receiving it'
  }
  return { rows: [row], comparisons: [compare(SCENARIO, kase, 'p99 delay ms, publish to client', p99, '< 100')] }
}

export const gatewayLoad: Scenario = {
  number: 5,
  id: 'gateway',
  title: 'Gateway: queries under load, progress fan-out',
  run: async (context) => {
    const missing = gatewayMissing()
    if (missing !== undefined) return { rows: [blockedRow(SCENARIO, missing)], comparisons: [] }
    const topology = await sharedTopology(context)
    await topology.ensure('gateway', SERVICE_ENTRIES.gateway)
    const bus = await createNatsBus({ servers: topology.natsUrl, name: 'bench-gateway' })
    try {
      const base = `http://127.0.0.1:${topology.port('gateway')}`
      await gql(`${base}/graphql`, OPERATIONS.saveRecipe, { input: recipeInput(await benchRecipe()) })
      const small = await ensureDataset(context, context.size === 'smoke' ? 200 : 2000)
      const files = await uploadDataset(`${base}/uploads`, small)
      // Runs for the queries to list: a realistic first page of 50.
      await drainRuns(bus, 'bench-one-to-one', files, context.size === 'smoke' ? 3 : 50, 600_000)
      const { runs } = await gql<{ runs: { runId: string }[] }>(`${base}/graphql`, OPERATIONS.runs)
      const queries = await queryLoad(context, `${base}/graphql`, runs[0]?.runId ?? 'none')
      const subscriptions = await fanOut(context, bus, `${base}/graphql`, `${base}/uploads`)
      return { rows: [...queries.rows, ...subscriptions.rows], comparisons: [...queries.comparisons, ...subscriptions.comparisons] }
    } finally {
      await bus.close()
    }
  }
}
