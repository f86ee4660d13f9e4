import { isNotFound } from '@kalla/bus'
import { GetRecipe, GetRun, GetSource, ListRecipes, ListRuns, ListSources, PreviewSource, RecipeAssistant, TestSource, type RunStatus } from '@kalla/proto'
import { ask, askShared, type GatewayDeps } from '../deps.ts'
import type { ResultQuery } from '@kalla/engine'
import { readPage } from '../results/read-page.ts'
import type { ResultKind } from '@kalla/proto'
import { toRecipe, toRun, toSource } from './mapping.ts'
import { checkPage } from './page-args.ts'

interface RunsArgs { recipeId?: string | null, status?: RunStatus | null, limit: number, offset: number }
interface ResultsArgs {
  runId: string
  kind: ResultKind
  limit: number
  offset: number
  sort?: { column: string, direction?: 'ASC' | 'DESC' | null } | null
  filters?: Array<{ column: string, equals?: string | null, contains?: string | null, min?: string | null, max?: string | null }> | null
}

/**
 * Query resolvers: each asks one service over the bus and maps its answer to GraphQL's shape; resolvers
 * asking for the same thing at once share one request and its mapped answer.
 */
export function queryResolvers (deps: GatewayDeps) {
  return {
    sources: async () => await askShared(deps, 'sources', ListSources, {}, (r) => r.sources.map(toSource)),
    source: async (_: unknown, { alias }: { alias: string }) => await orNull(askShared(deps, 'source', GetSource, { alias }, toSource)),
    testSource: async (_: unknown, { alias }: { alias: string }) => await ask(deps, TestSource, { alias }),
    previewSource: async (_: unknown, { alias, limit }: { alias: string, limit: number }) => {
      checkPage('previewSource', { limit })
      return await ask(deps, PreviewSource, { alias, limit })
    },
    recipes: async () => await askShared(deps, 'recipes', ListRecipes, {}, (r) => r.recipes.map(toRecipe)),
    recipe: async (_: unknown, { recipeId }: { recipeId: string }) => await orNull(askShared(deps, 'recipe', GetRecipe, { recipe_id: recipeId }, toRecipe)),
    recipeAssistant: async () => await askShared(deps, 'recipeAssistant', RecipeAssistant, {}, (r) => ({ drafting: r.drafting, sampleValuesShared: r.sample_values_shared })),
    runs: async (_: unknown, args: RunsArgs) => await askShared(deps, 'runs', ListRuns, listRunsRequest(args), (r) => r.runs.map(toRun)),
    run: async (_: unknown, { runId }: { runId: string }) => await orNull(askShared(deps, 'run', GetRun, { run_id: runId }, toRun)),
    runResults: async (_: unknown, args: ResultsArgs) => {
      checkPage('runResults', args)
      return await readPage(deps, args.runId, args.kind, { limit: args.limit, offset: args.offset }, resultQuery(args))
    }
  }
}

/** The ListRuns request for GraphQL arguments; a limit or offset out of range is refused. */
function listRunsRequest (args: RunsArgs) {
  checkPage('runs', args)
  return {
    ...(args.recipeId === null || args.recipeId === undefined ? {} : { recipe_id: args.recipeId }),
    ...(args.status === null || args.status === undefined ? {} : { status: args.status }),
    limit: args.limit,
    offset: args.offset
  }
}

/** The engine's sort and filters for runResults' arguments; GraphQL's nulls mean "not given". */
function resultQuery ({ sort, filters }: ResultsArgs): ResultQuery {
  const given = (value: string | null | undefined): value is string => value !== null && value !== undefined
  return {
    ...(sort === null || sort === undefined ? {} : { sort: { column: sort.column, descending: sort.direction === 'DESC' } }),
    ...(filters === null || filters === undefined
      ? {}
      : {
          filters: filters.map((f) => ({
            column: f.column,
            ...(given(f.equals) ? { equals: f.equals } : {}),
            ...(given(f.contains) ? { contains: f.contains } : {}),
            ...(given(f.min) ? { min: f.min } : {}),
            ...(given(f.max) ? { max: f.max } : {})
          }))
        })
  }
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
