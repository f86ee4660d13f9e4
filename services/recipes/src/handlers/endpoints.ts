import type { Bus, Service } from '@kalla/bus'
import { DeleteRecipe, DraftRecipe, GetRecipe, ListRecipes, PreviewRecipe, RecipeAssistant, SaveRecipe, SuggestRecipes, ValidateRecipe } from '@kalla/proto'
import { deleteRecipe, findRecipe, listRecipes } from '../db/recipes-repository.ts'
import type { RecipesDeps } from '../domain/deps.ts'
import { draftRecipe } from '../domain/draft/draft-recipe.ts'
import { previewRecipe } from '../domain/preview-recipe.ts'
import { shownRecipe } from '../domain/recipe-credentials.ts'
import { saveRecipe } from '../domain/save-recipe.ts'
import { suggestRecipes } from '../domain/suggest-recipes.ts'
import { validateRecipe } from '../domain/validate-recipe.ts'
import { RecipesErrors } from '../errors.ts'

const QUEUE = { queue: 'recipes' }

/**
 * The recipes service's request/reply endpoints; replicas share them through one queue group. Every
 * recipe answered is shown with credentials masked (see recipe-credentials.ts).
 */
export async function serveEndpoints (bus: Bus, deps: RecipesDeps): Promise<Service[]> {
  return await Promise.all([
    bus.serve(SaveRecipe, async ({ recipe }) => shownRecipe(await saveRecipe(deps, recipe)), QUEUE),
    bus.serve(GetRecipe, async ({ recipe_id: recipeId }) => {
      const stored = await findRecipe(deps.db, recipeId)
      if (stored === undefined) throw RecipesErrors.RECIPES_NOT_FOUND(`There is no recipe "${recipeId}".`)
      return shownRecipe(stored)
    }, QUEUE),
    bus.serve(ListRecipes, async () => ({ recipes: (await listRecipes(deps.db)).map(shownRecipe) }), QUEUE),
    bus.serve(DeleteRecipe, async ({ recipe_id: recipeId }) => ({ deleted: await deleteRecipe(deps.db, recipeId) }), QUEUE),
    bus.serve(ValidateRecipe, ({ recipe }) => validateRecipe(deps, recipe), QUEUE),
    bus.serve(PreviewRecipe, (request) => previewRecipe(deps, request), QUEUE),
    bus.serve(SuggestRecipes, (request) => suggestRecipes(deps, request), QUEUE),
    bus.serve(DraftRecipe, (request) => draftRecipe(deps, request), QUEUE),
    bus.serve(RecipeAssistant, () => ({ drafting: deps.llm !== undefined, sample_values_shared: deps.llm?.sampleValues === true }), QUEUE)
  ])
}
