import { loadavg } from 'node:os'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createNatsBus, type Bus } from '@kalla/bus'
import { StartRun } from '@kalla/proto'
import { repetitions, type BenchContext, type Scenario } from '../harness/context.ts'
import { ensureDataset, sizeLabel } from '../harness/datasets.ts'
import { bareFanOut, kallaFanOut } from '../harness/fan-out.ts'
import { gatewayMissing } from '../harness/gateway.ts'
import { gql, OPERATIONS } from '../harness/graphql.ts'
import { measureQueryPairs, type QueryShape, type QueryTarget } from '../harness/query-pairs.ts'
import { blockedRow, compare, type ResultRow, type ScenarioResult } from '../harness/result.ts'
import { pairedRatio } from '../harness/rows.ts'
import { finalEvent, seedRuns, uploadDataset } from '../harness/runs.ts'
import { alternation } from '../harness/stats.ts'
import type { FanOutResult } from '../harness/subscribers.ts'
import { SERVICE_ENTRIES, sharedTopology, type BenchTopology } from '../harness/topology.ts'

const SCENARIO = '5 gateway'
const BARE_QUERIES = 'bench/src/children/bare-queries.ts'
const BARE_FAN_OUT = 'bench/src/children/bare-fan-out.ts'

/** `runs(limit: 50)` and `run(runId)` from many clients, against bare Mercurius returning the same answers. */
async function queryLoad (context: BenchContext, topology: BenchTopology, graphql: string, runId: string): Promise<ScenarioResult> {
  const smoke = context.size === 'smoke'
  const options = smoke ? { connections: 5, amount: 50 } : { connections: 100, seconds: 10 }
  const shapes: QueryShape[] = [{ name: 'runs(limit: 50)', query: OPERATIONS.runs, variables: {} }, { name: 'run(runId)', query: OPERATIONS.run, variables: { runId } }]
  // The baseline answers with exactly what the gateway answered, so both send the same bytes.
  const answers = join(context.workDir, 'bare-answers.json')
  const { runs } = await gql<{ runs: unknown[] }>(graphql, OPERATIONS.runs)
  const { run } = await gql<{ run: unknown }>(graphql, OPERATIONS.run, { runId })
  await writeFile(answers, JSON.stringify({ runs, run }))
  await topology.start('bare-queries', BARE_QUERIES, { BENCH_BARE_ANSWERS: answers })
  const targets: [QueryTarget, QueryTarget] = [
    { variant: 'autocannon → gateway (scaled)', url: graphql },
    { variant: 'autocannon → bare mercurius, constant answers', url: `http://127.0.0.1:${topology.port('bare-queries')}/graphql` }
  ]
  const result: ScenarioResult = { rows: [], comparisons: [] }
  try {
    for (const shape of shapes) {
      const measured = await measureQueryPairs(SCENARIO, shape, targets, repetitions(context, 3), options, context.log)
      result.rows.push(...measured.rows)
      result.comparisons.push(...measured.comparisons)
    }
  } finally {
    await topology.stop('bare-queries')
  }
  return result
}

/** 1,000 subscribers on one run through the gateway, against a bare Mercurius pubsub fan-out, ABBA. */
async function fanOut (context: BenchContext, topology: BenchTopology, bus: Bus, graphql: string, uploads: string): Promise<ScenarioResult> {
  const smoke = context.size === 'smoke'
  const clients = smoke ? 10 : 1000
  const data = await ensureDataset(context, smoke ? 300 : 1_000_000)
  const files = await uploadDataset(uploads, data)
  await topology.start('bare-fan-out', BARE_FAN_OUT)
  const bareUrl = `http://127.0.0.1:${topology.port('bare-fan-out')}`
  const startQueued = async () => {
    const blocker = await bus.request(StartRun, { recipe_id: 'bench-one-to-one', files })
    const measured = await bus.request(StartRun, { recipe_id: 'bench-one-to-one', files })
    return { measured: measured.run_id, untilBlockerEnds: async () => await finalEvent(bus, blocker.run_id, 600_000) }
  }
  const variants = [
    ['kalla', async () => await kallaFanOut(bus, graphql, clients, startQueued)],
    ['bare', async () => await bareFanOut(bareUrl, clients, smoke ? 5 : 40, smoke ? 20 : 100)]
  ] as const
  const runs: Record<'kalla' | 'bare', (FanOutResult & { load: number })[]> = { kalla: [], bare: [] }
  try {
    for (let rep = 0; rep < repetitions(context, 2); rep++) {
      for (const [name, variant] of alternation(variants, rep)) {
        const result = { ...await variant(), load: loadavg()[0]! }
        runs[name].push(result)
        context.log(`fan-out ${name}: ${result.complete}/${result.clients} clients complete, ${result.steps} steps, p50 ${result.p50} ms, p99 ${result.p99} ms, max ${result.max} ms, load ${result.load.toFixed(1)}`)
      }
    }
  } finally {
    await topology.stop('bare-fan-out')
  }
  const kase = `runProgress, ${clients} subscribers on one run (${sizeLabel(data.invoices)} invoices)`
  const ratio = pairedRatio(runs.kalla.map((r) => r.p99), runs.bare.map((r) => r.p99))
  const loads = [...runs.kalla, ...runs.bare].map((r) => r.load)
  const complete = runs.kalla.every((r) => r.complete === r.clients)
  return {
    rows: [
      fanOutRow(kase, 'graphql-ws clients → gateway (scaled)', runs.kalla, 'delay from the bench\'s own bus subscriber hearing an event to a client receiving it as a step'),
      fanOutRow(kase, 'graphql-ws clients → bare mercurius pubsub', runs.bare, 'delay from the baseline\'s pubsub.publish to a client receiving the step')
    ],
    comparisons: [
      compare(SCENARIO, kase, 'p99 delivery delay kalla / bare mercurius', ratio.median, '<= 2', `pairs ${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}; load ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`),
      compare(SCENARIO, kase, 'kalla clients that got every step and the completion', complete ? 1 : 0, '>= 1', runs.kalla.map((r) => `${r.complete}/${r.clients}`).join(', '))
    ]
  }
}

function fanOutRow (kase: string, variant: string, runs: (FanOutResult & { load: number })[], note: string): ResultRow {
  const failed = runs.reduce((n, r) => n + r.failed, 0)
  return {
    scenario: SCENARIO,
    case: kase,
    variant,
    status: runs.length > 0 && failed === 0 && runs.every((r) => r.delays.length > 0) ? 'ok' : 'failed',
    reps: runs.length,
    metrics: {
      'p50 ms per rep': runs.map((r) => r.p50).join(', '),
      'p99 ms per rep': runs.map((r) => r.p99).join(', '),
      'max ms per rep': runs.map((r) => r.max).join(', '),
      'steps per rep': runs.map((r) => r.steps).join(', '),
      'complete clients per rep': runs.map((r) => `${r.complete}/${r.clients}`).join(', '),
      'load 1m per rep': runs.map((r) => r.load.toFixed(1)).join(', '),
      deliveries: runs.reduce((n, r) => n + r.delays.length, 0),
      failed
    },
    note
  }
}

export const gatewayLoad: Scenario = {
  number: 5,
  id: 'gateway',
  title: 'Gateway: queries under load, progress fan-out, against bare Mercurius',
  run: async (context) => {
    const missing = gatewayMissing()
    if (missing !== undefined) return { rows: [blockedRow(SCENARIO, missing)], comparisons: [] }
    await mkdir(context.workDir, { recursive: true })
    const topology = await sharedTopology(context)
    await topology.ensure('gateway', SERVICE_ENTRIES.gateway)
    const bus = await createNatsBus({ servers: topology.natsUrl, name: 'bench-gateway' })
    try {
      const base = `http://127.0.0.1:${topology.port('gateway')}`
      // Runs for the queries to list: a realistic first page of 50.
      const small = await ensureDataset(context, context.size === 'smoke' ? 200 : 2000)
      const runId = await seedRuns(base, bus, small, context.size === 'smoke' ? 3 : 50)
      const queries = await queryLoad(context, topology, `${base}/graphql`, runId)
      const subscriptions = await fanOut(context, topology, bus, `${base}/graphql`, `${base}/uploads`)
      return { rows: [...queries.rows, ...subscriptions.rows], comparisons: [...queries.comparisons, ...subscriptions.comparisons] }
    } finally {
      await bus.close()
    }
  }
}
