import type { BenchContext, Scenario } from './harness/context.ts'
import { LoadSampler } from './harness/load.ts'
import { blockedRow, type Comparison, type ResultRow } from './harness/result.ts'
import type { Summary } from './harness/stats.ts'

/** One scenario's outcome as the report shows it. */
export interface ScenarioOutcome { number: number, title: string, rows: ResultRow[], comparisons: Comparison[], load: Summary, minutes: number }

/** Runs a scenario with the machine's load sampled alongside; a scenario that throws reports a failed row. */
export async function runScenario (scenario: Scenario, context: BenchContext): Promise<ScenarioOutcome> {
  const load = new LoadSampler()
  const started = performance.now()
  let rows: ResultRow[]
  let comparisons: Comparison[] = []
  try {
    ({ rows, comparisons } = await scenario.run(context))
  } catch (error) {
    context.log(`scenario ${scenario.number} failed: ${(error as Error).stack ?? String(error)}`)
    rows = [blockedRow(`${scenario.number} ${scenario.id}`, `failed: ${(error as Error).message.slice(0, 500)}`, 'failed')]
  }
  return { number: scenario.number, title: scenario.title, rows, comparisons, load: load.stop(), minutes: (performance.now() - started) / 60_000 }
}
