import type { Scenario } from '../harness/context.ts'
import { alternatives } from './alternatives.ts'
import { bigQueryStaging } from './bigquery-staging.ts'
import { elasticsearchStaging } from './elasticsearch-staging.ts'
import { engineOverhead } from './engine-overhead.ts'
import { explainOverhead } from './explain-overhead.ts'
import { gatewayLoad } from './gateway-load.ts'
import { matcherScaleOut } from './matcher-scale-out.ts'
import { postgresStaging } from './postgres-staging.ts'
import { scaleAndMemory } from './scale-and-memory.ts'
import { servicesEndToEnd } from './services-end-to-end.ts'
import { startUp } from './start-up.ts'

/** Every scenario, in report order. */
export const SCENARIOS: readonly Scenario[] = [engineOverhead, servicesEndToEnd, postgresStaging, scaleAndMemory, gatewayLoad, matcherScaleOut, alternatives, startUp, bigQueryStaging, elasticsearchStaging, explainOverhead]

/** A scenario by its number ("1") or name ("engine"). */
export function findScenario (name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.id === name || String(s.number) === name)
}
