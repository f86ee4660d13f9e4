import type { StoredRecipe } from '@kalla/proto'
import { upsertRecipe } from '../db/recipes-repository.ts'
import { RecipeInvalidError } from '../errors.ts'
import type { RecipesDeps } from './deps.ts'
import { recipeShape, validateRecipe } from './validate-recipe.ts'

/** Creates or replaces a recipe; a recipe with any problem is refused with RECIPES_INVALID listing them all. */
export async function saveRecipe (deps: RecipesDeps, value: unknown): Promise<StoredRecipe> {
  const { problems } = await validateRecipe(deps, value)
  if (problems.length > 0 || !recipeShape.check(value)) throw new RecipeInvalidError(problems)
  const stored = await upsertRecipe(deps.db, value)
  deps.log.info({ recipe_id: value.recipe_id }, stored.created_at === stored.updated_at ? 'recipe created' : 'recipe replaced')
  return stored
}
