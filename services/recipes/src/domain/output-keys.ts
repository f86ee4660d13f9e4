import { matchOutputProblems } from '@kalla/engine'
import type { Problem, Recipe } from '@kalla/proto'
import type { OutputColumn } from './bind-sql.ts'

/**
 * What the engine would refuse in the matched output (repeated column names, a side whose primary key
 * it cannot find), with the engine's own rule, reported under the recipes service's codes.
 */
export function outputProblems (output: readonly OutputColumn[], recipe: Recipe): Problem[] {
  const { left, right } = recipe.sources
  return matchOutputProblems(output, { alias: left.alias, keys: left.primary_key }, { alias: right.alias, keys: right.primary_key })
    .map((p) => ({ ...p, code: p.code.replace(/^ENGINE_/, 'RECIPES_') }))
}
