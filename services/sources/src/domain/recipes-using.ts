import { BusError, type Bus } from '@kalla/bus'
import { ListRecipes, SOURCE_REFERENCE } from '@kalla/proto'
import { SourcesErrors } from '../errors.ts'

/**
 * The saved recipes whose left or right source is `source:<alias>` (aliases compare without case), from
 * the recipes service over the bus. When it does not answer, nothing is assumed: SOURCES_RECIPES_UNAVAILABLE.
 * @example const using = await recipesUsing(bus)('erp') // [{ recipe_id: 'monthly', name: 'Monthly close' }]
 */
export function recipesUsing (bus: Bus) {
  return async (alias: string): Promise<Array<{ recipe_id: string, name: string }>> => {
    let recipes
    try {
      recipes = (await bus.request(ListRecipes, {})).recipes
    } catch (error) {
      if (!(error instanceof BusError)) throw error
      throw SourcesErrors.SOURCES_RECIPES_UNAVAILABLE(`Whether a saved recipe uses ${alias} cannot be checked because the recipes service did not answer, so ${alias} is kept. Try again in a moment.`, error)
    }
    const wanted = alias.toLowerCase()
    const uses = (uri: string | undefined): boolean => SOURCE_REFERENCE.exec(uri ?? '')?.[1]?.toLowerCase() === wanted
    return recipes
      .filter(({ recipe }) => uses(recipe.sources.left.uri) || uses(recipe.sources.right.uri))
      .map(({ recipe }) => ({ recipe_id: recipe.recipe_id, name: recipe.name }))
  }
}
