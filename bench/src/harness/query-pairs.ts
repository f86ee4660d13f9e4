import { loadavg } from 'node:os'
import { loadGraphql, type LoadResult } from './http-load.ts'
import { compare, type Comparison, type ResultRow } from './result.ts'
import { pairedRatio } from './rows.ts'
import { alternation, summarize } from './stats.ts'

/** A GraphQL server under test: Kalla's gateway or a baseline. */
export interface QueryTarget { variant: string, url: string }
/** One query and how the load generator sends it. */
export interface QueryShape { name: string, query: string, variables: Record<string, unknown> }
export interface LoadOptions { connections: number, seconds?: number, amount?: number }

interface Measured extends LoadResult { load: number }

const round = (x: number, places = 1): number => Math.round(x * 10 ** places) / 10 ** places
const median = (xs: number[]): number => summarize(xs).median

/**
 * One query against Kalla and its baseline (or two versions of the gateway), alternated ABBA over `reps` repetitions with the same load
 * generator, after a warm-up of each. Ratios are medians of the per-pair ratios, each pair having run back to
 * back, with the 1-minute load average beside every repetition.
 */
export async function measureQueryPairs (scenario: string, shape: QueryShape, targets: readonly [QueryTarget, QueryTarget], reps: number, options: LoadOptions, log: (line: string) => void, ratio = 'kalla / bare mercurius'): Promise<{ rows: ResultRow[], comparisons: Comparison[] }> {
  for (const target of targets) await loadGraphql(target.url, shape.query, shape.variables, { connections: options.connections, amount: options.connections * 20 })
  const runs = new Map<QueryTarget, Measured[]>(targets.map((t) => [t, []]))
  for (let rep = 0; rep < reps; rep++) {
    for (const target of alternation(targets, rep)) {
      const load = await loadGraphql(target.url, shape.query, shape.variables, options)
      const measured = { ...load, load: loadavg()[0]! }
      runs.get(target)!.push(measured)
      log(`${shape.name} ${target.variant}: p50 ${load.p50} ms, p99 ${load.p99} ms, ${Math.round(load.requestsPerSec)} req/s, errors ${load.errors + load.non2xx}, load ${measured.load.toFixed(1)}`)
    }
  }
  const kase = `${shape.name} query, ${options.connections} concurrent clients`
  const rows = targets.map((target) => row(scenario, kase, target.variant, runs.get(target)!))
  const [kalla, bare] = targets.map((t) => runs.get(t)!) as [Measured[], Measured[]]
  const p99 = pairedRatio(kalla.map((r) => r.p99), bare.map((r) => r.p99))
  const rps = pairedRatio(kalla.map((r) => r.requestsPerSec), bare.map((r) => r.requestsPerSec))
  const loads = [...kalla, ...bare].map((r) => r.load)
  const detail = (r: { min: number, max: number }): string => `pairs ${r.min.toFixed(2)}–${r.max.toFixed(2)}; load ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`
  return {
    rows,
    comparisons: [
      compare(scenario, kase, `p99 latency ${ratio}`, p99.median, '<= 3', detail(p99)),
      compare(scenario, kase, `throughput ${ratio}`, rps.median, '>= 0.333', detail(rps))
    ]
  }
}

function row (scenario: string, kase: string, variant: string, runs: Measured[]): ResultRow {
  const failures = runs.reduce((n, r) => n + r.errors + r.non2xx, 0)
  return {
    scenario,
    case: kase,
    variant,
    status: failures === 0 && runs.length > 0 ? 'ok' : 'failed',
    reps: runs.length,
    metrics: {
      'p50 ms': median(runs.map((r) => r.p50)),
      'p99 ms': median(runs.map((r) => r.p99)),
      'max ms': Math.max(...runs.map((r) => r.max)),
      'requests/s': round(median(runs.map((r) => r.requestsPerSec))),
      'p99 ms per rep': runs.map((r) => r.p99).join(', '),
      'requests/s per rep': runs.map((r) => Math.round(r.requestsPerSec)).join(', '),
      'load 1m per rep': runs.map((r) => r.load.toFixed(1)).join(', '),
      errors: failures
    }
  }
}
