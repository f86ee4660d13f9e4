import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import type { Test } from 'tap'
import { createNatsBus, type NatsBus } from '@kalla/bus'
import { GetRun, RegisterSource, RunEvents, SaveRecipe, StartRun, TERMINAL_STATUSES, type Recipe, type Run, type RunEvent } from '@kalla/proto'
import { createS3Storage, type Storage } from '@kalla/storage'
import { prepareFlowData, S3RVER_CREDENTIALS, uploadFile, waitFor, type FlowData } from '@kalla/testing'
import { startTopology, type Topology } from './topology.ts'

/**
 * The scaled topology for fault tests: its own NATS and Postgres (both may be stopped and restarted), every
 * service its own OS process, a registered Postgres source with generated invoices and a saved recipe, and
 * the test's clients (a bus, a raw NATS connection for stream reads, the S3 bucket). The clients reconnect
 * for as long as it takes, so they outlive a NATS restart.
 */
export interface FaultBed {
  topology: Topology
  bus: NatsBus
  nc: NatsConnection
  storage: Storage
  data: FlowData
  /** Uploads the payments file and starts a run of the flow's recipe (or `recipeId`); returns the run id. */
  startRun: (recipeId?: string) => Promise<string>
  /** Collects a run's events from its first, live. */
  follow: (runId: string) => Promise<Followed>
  /** Polls GetRun until the run has ended (tolerating an unreachable runs service meanwhile). */
  finished: (runId: string, timeoutMs?: number) => Promise<Run>
  saveRecipe: (recipe: Recipe) => Promise<void>
}

export interface Followed {
  events: RunEvent[]
  /** Resolves with the first event from index `from` on (already received or to come) that `match` accepts. */
  next: (match: (event: RunEvent) => boolean, options?: { from?: number, timeoutMs?: number }) => Promise<RunEvent>
}

const RECONNECT = { maxReconnectAttempts: -1, reconnectTimeWait: 250 }

/**
 * Starts the bed with `invoices` generated invoices, then the test's services through `start`. Should
 * anything fail on the way, everything started is stopped before the error is thrown: a test file that
 * fails at its top level runs no teardown, and its processes would outlive it.
 */
export async function startFaultBed (t: Test, options: { invoices: number, seed?: number, start: (bed: FaultBed) => Promise<void> }): Promise<FaultBed> {
  const dir = await mkdtemp(join(tmpdir(), 'kalla-faults-'))
  const stops: Array<() => Promise<void>> = [async () => { await rm(dir, { recursive: true, force: true }) }]
  const stop = async (): Promise<void> => { for (const step of stops.splice(0).reverse()) await step().catch(() => {}) }
  t.teardown(stop)
  try {
    const bed = await openBed(options, dir, stops)
    await options.start(bed)
    return bed
  } catch (error) {
    await stop()
    throw error
  }
}

async function openBed (options: { invoices: number, seed?: number }, dir: string, stops: Array<() => Promise<void>>): Promise<FaultBed> {
  const topology = await startTopology({ postgres: 'private' })
  stops.push(topology.stop)
  stops.push(async () => { await keepOutputs(topology) })
  const bus = await createNatsBus({ servers: topology.natsUrl, name: 'fault-test', connectOptions: { ...topology.natsTestUser, ...RECONNECT } })
  const nc = await connect({ servers: topology.natsUrl, name: 'fault-test-streams', ...topology.natsTestUser, ...RECONNECT })
  const storage = createS3Storage({ bucket: topology.s3.bucket, region: 'us-east-1', endpoint: topology.s3.endpoint, forcePathStyle: true, credentials: S3RVER_CREDENTIALS })
  stops.push(async () => { await bus.close(); await nc.close(); await storage.close() })
  const data = await prepareFlowData(join(dir, 'flow'), topology.databaseUrl, options.invoices, options.seed ?? 7)
  const followers: Array<{ unsubscribe: () => Promise<void> }> = []
  stops.push(async () => { await Promise.all(followers.map((f) => f.unsubscribe())) })
  return {
    topology,
    bus,
    nc,
    storage,
    data,
    startRun: async (recipeId = data.recipe.recipe_id) => {
      const upload = await uploadFile(`http://127.0.0.1:${topology.port('sources')}/uploads`, data.paymentsCsv, 'bank-statement.csv')
      return (await bus.request(StartRun, { recipe_id: recipeId, files: [{ alias: 'payments', upload_id: upload.uploadId }] })).run_id
    },
    follow: async (runId) => {
      const events: RunEvent[] = []
      followers.push(await bus.subscribe(RunEvents, { subjectSuffix: runId, deliver: 'all' }, (event) => { events.push(event) }))
      return { events, next: async (match, { from = 0, timeoutMs = 120_000 } = {}) => await waitFor(() => events.slice(from).find(match), timeoutMs, `an event of ${runId}`) }
    },
    finished: async (runId, timeoutMs = 120_000) => await waitFor(async () => {
      const run = await bus.request(GetRun, { run_id: runId }, { timeoutMs: 2000 })
      return TERMINAL_STATUSES.has(run.status) ? run : undefined
    }, timeoutMs, `run ${runId} to end`),
    saveRecipe: async (recipe) => { await bus.request(SaveRecipe, { recipe }) }
  }
}

/** Starts sources, recipes and runs, registers the invoices source and saves the flow's recipe. */
export async function startServices (bed: FaultBed): Promise<void> {
  const { topology, data } = bed
  await Promise.all([topology.start('sources', 'sources'), topology.start('recipes', 'recipes'), topology.start('runs', 'runs')])
  const source = new URL(topology.databaseUrl)
  source.searchParams.set('table', data.invoicesTable)
  await bed.bus.request(RegisterSource, { alias: 'erp_invoices', type: 'postgres', uri: source.toString() })
  await bed.saveRecipe(data.recipe)
}

/** Writes every process' output into the directory KALLA_FAULT_LOGS names, when set, to see what a failed run did. */
async function keepOutputs (topology: Topology): Promise<void> {
  const dir = process.env.KALLA_FAULT_LOGS
  if (dir === undefined || dir === '') return
  await mkdir(dir, { recursive: true })
  for (const [name, started] of topology.processes) await writeFile(join(dir, `${basename(process.argv[1] ?? 'test')}-${name}.log`), started.output())
}

/** The ground-truth counts of the flow's data, as a run reports them. */
export function truthCounts (data: FlowData): Record<string, unknown> {
  const truth = data.truth as unknown as Record<string, unknown>
  return Object.fromEntries(['matched_count', 'matched_left', 'matched_right', 'unmatched_left_count', 'unmatched_right_count', 'total_left', 'total_right'].map((k) => [k, truth[k]]))
}

/** Milliseconds since `since` (a performance.now() reading), rounded. */
export const elapsed = (since: number): number => Math.round(performance.now() - since)

/**
 * Reports a measured recovery time: as a TAP comment, and as a JSON line appended to the file named by
 * KALLA_FAULT_REPORT when set (docs/deployment.md's figures come from there). Never asserted.
 */
export async function reportRecovery (t: Test, what: string, ms: number, how: string): Promise<void> {
  t.comment(`recovery: ${what}: ${ms} ms (${how})`)
  const file = process.env.KALLA_FAULT_REPORT
  if (file !== undefined && file !== '') await appendFile(file, JSON.stringify({ what, ms, how, at: new Date().toISOString() }) + '\n')
}
