import { readExplanations, type Candidate } from '@kalla/engine'
import { GetRecipe, GetRun, type ExceptionRecord, type Side } from '@kalla/proto'
import { ask, askShared, type GatewayDeps } from '../deps.ts'
import { openResult } from '../results/read-page.ts'
import { explainKey as explainKeyOf, toException } from './exception-mapping.ts'
import type { GqlRun } from './mapping.ts'
import { checkPage } from './page-args.ts'
import { selectRunExceptions, type RunExceptionQuery } from './run-exception-select.ts'

/**
 * Run.exceptions: a page of the run's unmatched records of one side (narrowed by its filter), each with its state from the runs
 * service and its nearest candidates from the run's explain file (read by the engine).
 */
export function runExceptionResolvers (deps: GatewayDeps) {
  return {
    exceptions: async (run: GqlRun, args: { side: Side, limit: number, offset: number, filter?: RunExceptionQuery | null }) => {
      checkPage('Run.exceptions', args)
      const stored = await askShared(deps, 'run', GetRun, { run_id: run.runId }, (r) => r)
      const { recipe } = await ask(deps, GetRecipe, { recipe_id: stored.recipe_id })
      const other = args.side === 'left' ? 'right' : 'left'
      const keyColumns = recipe.sources[args.side].primary_key
      const page = await selectRunExceptions(deps, { runId: run.runId, recipeId: stored.recipe_id, side: args.side, keyColumns }, args, args.filter ?? {})
      const { keys, states } = page
      const explainKey = explainKeyOf(stored, args.side)
      const nearest = explainKey === undefined || keys.length === 0 ? new Map<string, Candidate[]>() : await candidates(deps, run.runId, explainKey, keyColumns, recipe.sources[other].primary_key, keys)
      return {
        side: args.side,
        totalCount: page.totalCount,
        offset: page.offset,
        records: page.rows.map((record, i) => ({
          side: args.side,
          key: keys[i],
          record,
          exception: toException(states[i] as ExceptionRecord),
          nearest: (nearest.get(JSON.stringify(keys[i])) ?? []).map((c) => ({ ...c, failedConditions: c.conditions.filter((x) => !x.held) }))
        }))
      }
    }
  }
}

async function candidates (deps: GatewayDeps, runId: string, key: string, keyColumns: string[], otherColumns: string[], keys: string[][]): Promise<Map<string, Candidate[]>> {
  const file = await openResult(deps, runId, key)
  try {
    return await readExplanations(file.path, keyColumns, otherColumns, keys)
  } finally {
    file.release()
  }
}
