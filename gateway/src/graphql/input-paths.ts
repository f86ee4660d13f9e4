import { BusError } from '@kalla/bus'
import type { Problem } from '@kalla/proto'

/**
 * A problem path of the recipe contract (`/sources/left/primary_key/0`, `/match_sql`) in the names of the
 * GraphQL `RecipeInput` the caller sent (`/left/primaryKey/0`, `/matchSql`). Column names under
 * `options/columns` are the caller's own and are kept as they are.
 */
export function inputPath (path: string): string {
  const parts = path.split('/').slice(1)
  if (parts[0] === 'sources') parts.shift()
  const mapped = parts.map((part, i) => parts[i - 1] === 'columns' && parts[i - 2] === 'options' ? part : camel(part))
  return mapped.length === 0 ? '' : `/${mapped.join('/')}`
}

function camel (part: string): string {
  return part.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}

export function withInputPaths<P extends Problem> (problems: readonly P[]): P[] {
  return problems.map((p) => p.path === undefined ? p : { ...p, path: inputPath(p.path) })
}

/** Runs a request made from a RecipeInput; problems in its error come back in the input's names. */
export async function fromInput<T> (request: Promise<T>): Promise<T> {
  try {
    return await request
  } catch (error) {
    if (!(error instanceof BusError) || error.problems === undefined) throw error
    throw new BusError(error.code, error.message, { status: error.status, problems: withInputPaths(error.problems), cause: error })
  }
}
