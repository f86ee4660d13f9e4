import { GetRecipe, ListRuns } from '@kalla/proto'
import { askShared, type GatewayDeps } from '../deps.ts'
import { toRecipe, toRun, type GqlRun } from './mapping.ts'
import { checkPage } from './page-args.ts'

interface Query<Obj, Params = Record<string, never>> { obj: Obj, params: Params }

/**
 * mercurius loaders against N+1: all Run.recipe fields of one request are resolved together, with one
 * GetRecipe per distinct recipe; Recipe.runs likewise asks once per distinct recipe and limit.
 * A failed lookup fails only the fields that needed it.
 */
export function loaders (deps: GatewayDeps) {
  return {
    Run: {
      recipe: async (queries: Array<Query<GqlRun>>) => {
        const recipes = await once(queries.map((q) => q.obj.recipeId), async (recipeId) => await askShared(deps, 'recipe', GetRecipe, { recipe_id: recipeId }, toRecipe))
        return queries.map((q) => recipes.get(q.obj.recipeId))
      }
    },
    Recipe: {
      runs: async (queries: Array<Query<{ recipeId: string }, { limit: number }>>) => {
        const key = (q: Query<{ recipeId: string }, { limit: number }>): string => `${q.params.limit}:${q.obj.recipeId}`
        const runs = await once(queries.map(key), async (k) => {
          checkPage('Recipe.runs', { limit: Number(k.split(':')[0]) })
          const [limit = '20', ...rest] = k.split(':')
          return await askShared(deps, 'runs', ListRuns, { recipe_id: rest.join(':'), limit: Number(limit), offset: 0 }, (r) => r.runs.map(toRun))
        })
        return queries.map((q) => runs.get(key(q)))
      }
    }
  }
}

/** Runs `work` once per distinct key, all at once; a failure is kept as that key's value (graphql reports it on the field). */
async function once<T> (keys: string[], work: (key: string) => Promise<T>): Promise<Map<string, T | Error>> {
  const distinct = [...new Set(keys)]
  const values = await Promise.all(distinct.map(async (key) => await work(key).catch((error: unknown) => error instanceof Error ? error : new Error(String(error)))))
  return new Map(distinct.map((key, i) => [key, values[i] as T | Error]))
}
