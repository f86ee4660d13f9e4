import Type, { type Static } from 'typebox'
import { Recipe } from '../recipe.ts'
import { defineEndpoint } from '../transport.ts'
import { FileBinding, ProblemSchema, Row, Timestamp } from './common.ts'

export const StoredRecipe = Type.Object({
  recipe: Recipe,
  created_at: Timestamp,
  updated_at: Timestamp
}, { additionalProperties: false })
export type StoredRecipe = Static<typeof StoredRecipe>

export const RecipeValidation = Type.Object({ valid: Type.Boolean(), problems: Type.Array(ProblemSchema) }, { additionalProperties: false })
export type RecipeValidation = Static<typeof RecipeValidation>

export const RecipePreview = Type.Object({
  matched_count: Type.Integer({ minimum: 0 }),
  unmatched_left_count: Type.Integer({ minimum: 0 }),
  unmatched_right_count: Type.Integer({ minimum: 0 }),
  matched: Type.Array(Row),
  unmatched_left: Type.Array(Row),
  unmatched_right: Type.Array(Row)
}, { additionalProperties: false })
export type RecipePreview = Static<typeof RecipePreview>

const RecipeIdRequest = Type.Object({ recipe_id: Type.String() }, { additionalProperties: false })

/** Saving validates first: a recipe with problems is refused with RECIPES_INVALID listing them. */
export const SaveRecipe = defineEndpoint({ subject: 'kalla.recipes.save.v1', request: Type.Object({ recipe: Type.Unknown() }), response: StoredRecipe })
export const GetRecipe = defineEndpoint({ subject: 'kalla.recipes.get.v1', request: RecipeIdRequest, response: StoredRecipe })
export const ListRecipes = defineEndpoint({ subject: 'kalla.recipes.list.v1', request: Type.Object({}), response: Type.Object({ recipes: Type.Array(StoredRecipe) }) })
export const DeleteRecipe = defineEndpoint({ subject: 'kalla.recipes.delete.v1', request: RecipeIdRequest, response: Type.Object({ deleted: Type.Boolean() }) })
export const ValidateRecipe = defineEndpoint({ subject: 'kalla.recipes.validate.v1', request: Type.Object({ recipe: Type.Unknown() }), response: RecipeValidation })
export const PreviewRecipe = defineEndpoint({
  subject: 'kalla.recipes.preview.v1',
  request: Type.Object({
    recipe: Type.Unknown(),
    files: Type.Optional(Type.Array(FileBinding)),
    sample_rows: Type.Integer({ minimum: 1, maximum: 100_000, default: 1000 }),
    row_limit: Type.Integer({ minimum: 0, maximum: 500, default: 20 })
  }),
  response: RecipePreview
})
