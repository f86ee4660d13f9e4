import { isNotFound } from '@kalla/bus'
import { GetRecipe, GetRun, GetSource, ListRecipes, ListRuns, ListSources, type RunStatus } from '@kalla/proto'
import { ask, type GatewayDeps } from '../deps.ts'
import { readPage } from '../results/read-page.ts'
import type { ResultKind } from '@kalla/proto'
import { toRecipe, toRun, toSource } from './mapping.ts'

interface RunsArgs { recipeId?: string | null, status?: RunStatus | null, limit: number, offset: number }
interface ResultsArgs { runId: string, kind: ResultKind, limit: number, offset: number }

/** Query resolvers: each asks one service over the bus and maps its answer to GraphQL's shape. */
export function queryResolvers (deps: GatewayDeps) {
  return {
    sources: async () => (await ask(deps, ListSources, {})).sources.map(toSource),
    source: async (_: unknown, { alias }: { alias: string }) => {
      const source = await orNull(ask(deps, GetSource, { alias }))
      return source === null ? null : toSource(source)
    },
    recipes: async () => (await ask(deps, ListRecipes, {})).recipes.map(toRecipe),
    recipe: async (_: unknown, { recipeId }: { recipeId: string }) => {
      const stored = await orNull(ask(deps, GetRecipe, { recipe_id: recipeId }))
      return stored === null ? null : toRecipe(stored)
    },
    runs: async (_: unknown, args: RunsArgs) => (await ask(deps, ListRuns, listRunsRequest(args))).runs.map(toRun),
    run: async (_: unknown, { runId }: { runId: string }) => {
      const run = await orNull(ask(deps, GetRun, { run_id: runId }))
      return run === null ? null : toRun(run)
    },
    runResults: async (_: unknown, args: ResultsArgs) => await readPage(deps, args.runId, args.kind, { limit: args.limit, offset: args.offset })
  }
}

/** The ListRuns request for GraphQL arguments; limits outside what the service takes are brought within. */
function listRunsRequest (args: RunsArgs) {
  return {
    ...(args.recipeId === null || args.recipeId === undefined ? {} : { recipe_id: args.recipeId }),
    ...(args.status === null || args.status === undefined ? {} : { status: args.status }),
    limit: clamp(args.limit, 1, 500),
    offset: Math.max(0, args.offset)
  }
}

export function clamp (value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}

/** A nullable single-item query answers null for a missing item rather than an error. */
async function orNull<T> (request: Promise<T>): Promise<T | null> {
  try {
    return await request
  } catch (error) {
    if (isNotFound(error)) return null
    throw error
  }
}
