// `scripts/node bench/src/compare-gateways.ts --a GATEWAY_JIT=0 --b GATEWAY_JIT=1 [--reps 3] [--seconds 10]`:
// two gateway processes on one scaled topology, differing only in their environment, under scenario 5's
// query load, alternated ABBA; prints each repetition and the ratios b / a.
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createNatsBus } from '@kalla/bus'
import { ROOT } from './harness/child.ts'
import { ensureDataset } from './harness/datasets.ts'
import { OPERATIONS } from './harness/graphql.ts'
import { measureQueryPairs, type QueryTarget } from './harness/query-pairs.ts'
import { seedRuns } from './harness/runs.ts'
import { SERVICE_ENTRIES, startBenchTopology, startServices } from './harness/topology.ts'

const { values } = parseArgs({ options: { a: { type: 'string', default: '' }, b: { type: 'string', default: '' }, reps: { type: 'string', default: '3' }, seconds: { type: 'string', default: '10' } } })
const env = (list: string): Record<string, string> => Object.fromEntries(list.split(',').filter((x) => x !== '').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]))
const log = (line: string): void => { process.stderr.write(`[compare] ${line}\n`) }
const workDir = join(ROOT, 'bench/data/work', `compare-${process.pid}`)
await mkdir(workDir, { recursive: true })
const topology = await startBenchTopology(workDir)
try {
  await startServices(topology)
  await topology.start('gateway-a', SERVICE_ENTRIES.gateway, env(values.a))
  await topology.start('gateway-b', SERVICE_ENTRIES.gateway, env(values.b))
  const base = (name: string): string => `http://127.0.0.1:${topology.port(name)}`
  const bus = await createNatsBus({ servers: topology.natsUrl, name: 'bench-compare' })
  const data = await ensureDataset({ size: 'full', dataDir: join(ROOT, 'bench/data'), workDir, log }, 2000)
  const runId = await seedRuns(base('gateway-a'), bus, data, 50).finally(async () => { await bus.close() })
  const targets: [QueryTarget, QueryTarget] = [{ variant: `b: ${values.b}`, url: `${base('gateway-b')}/graphql` }, { variant: `a: ${values.a}`, url: `${base('gateway-a')}/graphql` }]
  for (const shape of [{ name: 'runs(limit: 50)', query: OPERATIONS.runs, variables: {} }, { name: 'run(runId)', query: OPERATIONS.run, variables: { runId } }]) {
    const { comparisons } = await measureQueryPairs('compare', shape, targets, Number(values.reps), { connections: 100, seconds: Number(values.seconds) }, log, 'b / a')
    for (const c of comparisons) process.stdout.write(`${shape.name}: ${c.measure} ${String(c.value)} (${c.detail ?? ''})\n`)
  }
} finally {
  await topology.close()
  await rm(workDir, { recursive: true, force: true })
}
