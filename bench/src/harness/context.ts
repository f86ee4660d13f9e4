import type { ScenarioResult } from './result.ts'

/** How a benchmark run is set up: full size for the report, smoke size for CI. */
export interface BenchContext {
  size: 'full' | 'smoke'
  /** Repetitions per measured case; scenarios use their own default when undefined. */
  reps?: number
  /** Generated datasets, cached between runs (bench/data). */
  dataDir: string
  /** Scratch space for outputs, spill files and service state; emptied by each scenario. */
  workDir: string
  log: (line: string) => void
}

export interface Scenario {
  /** 1..7, as the report numbers them. */
  number: number
  /** Short name used on the command line, e.g. "engine". */
  id: string
  title: string
  run: (context: BenchContext) => Promise<ScenarioResult>
}

/** The repetitions a case gets: the override, else `full` at full size and one at smoke size. */
export function repetitions (context: BenchContext, full: number): number {
  return context.reps ?? (context.size === 'smoke' ? 1 : full)
}
