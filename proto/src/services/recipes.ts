import Type, { type Static } from 'typebox'
import { Identifier } from '../identifiers.ts'
import { Recipe } from '../recipe.ts'
import { SourceOptions } from '../source-options.ts'
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

export const MatchPatterns = ['one_to_one', 'split', 'batch'] as const

/** One of the two sources to suggest a recipe for: an uploaded file, or a registered (source:<alias>) or database URI. */
export const SuggestSource = Type.Object({
  alias: Identifier,
  upload_id: Type.Optional(Type.String({ minLength: 1 })),
  uri: Type.Optional(Type.String({ minLength: 1 })),
  options: Type.Optional(SourceOptions)
}, { additionalProperties: false })
export type SuggestSource = Static<typeof SuggestSource>

export const RecipeSuggestion = Type.Object({
  rank: Type.Integer({ minimum: 1 }),
  pattern: Type.Enum(MatchPatterns),
  /** In the recipe-file format: it validates, previews and saves as any recipe does. */
  recipe: Recipe,
  evidence: Type.Array(Type.String()),
  /** The recipe run on the sampled rows. */
  preview: Type.Object({
    matched_left: Type.Integer({ minimum: 0 }),
    matched_right: Type.Integer({ minimum: 0 }),
    total_left: Type.Integer({ minimum: 0 }),
    total_right: Type.Integer({ minimum: 0 }),
    match_rate: Type.Number({ minimum: 0, maximum: 1 })
  }, { additionalProperties: false })
}, { additionalProperties: false })
export type RecipeSuggestion = Static<typeof RecipeSuggestion>

export const RecipeSuggestions = Type.Object({
  suggestions: Type.Array(RecipeSuggestion),
  /** Set when nothing is good enough: "No good recipe found: ..." */
  none: Type.Optional(Type.String()),
  /** What was measured over which rows. */
  notes: Type.Array(Type.String())
}, { additionalProperties: false })
export type RecipeSuggestions = Static<typeof RecipeSuggestions>

/** Ranked recipes for two sources, from their data: keys, join, tolerance, date window and pattern, each previewed. */
export const SuggestRecipes = defineEndpoint({
  subject: 'kalla.recipes.suggest.v1',
  request: Type.Object({
    sources: Type.Array(SuggestSource, { minItems: 2, maxItems: 2 }),
    sample_rows: Type.Integer({ minimum: 100, maximum: 200_000, default: 20_000 }),
    limit: Type.Integer({ minimum: 1, maximum: 20, default: 5 })
  }),
  response: RecipeSuggestions
})

export const RecipeDraft = Type.Object({
  /** The recipe built from the model's answer, absent when the answer could not be read as one. */
  recipe: Type.Optional(Recipe),
  /** Every problem found binding and validating the draft; a draft with problems is never run. */
  problems: Type.Array(ProblemSchema),
  /** The draft run on the first sample_rows records of each source, when it has no problems. */
  preview: Type.Optional(Type.Object({
    matched_count: Type.Integer({ minimum: 0 }),
    unmatched_left_count: Type.Integer({ minimum: 0 }),
    unmatched_right_count: Type.Integer({ minimum: 0 })
  }, { additionalProperties: false })),
  /** Whether sample rows were sent to the model (the operator's KALLA_LLM_SAMPLE_VALUES). */
  sample_values_shared: Type.Boolean()
}, { additionalProperties: false })
export type RecipeDraft = Static<typeof RecipeDraft>

/** A recipe drafted by the operator's language model from plain words, bound, validated and previewed. */
export const DraftRecipe = defineEndpoint({
  subject: 'kalla.recipes.draft.v1',
  request: Type.Object({
    sources: Type.Array(SuggestSource, { minItems: 2, maxItems: 2 }),
    prompt: Type.String({ minLength: 1, maxLength: 2000 }),
    sample_rows: Type.Integer({ minimum: 1, maximum: 100_000, default: 1000 })
  }),
  response: RecipeDraft
})

/** What of the recipe assistant the operator turned on, so a client offers only what will answer. */
export const RecipeAssistant = defineEndpoint({
  subject: 'kalla.recipes.assistant.v1',
  request: Type.Object({}),
  response: Type.Object({
    /** Whether draftRecipe has a language model to ask (KALLA_LLM_URL and KALLA_LLM_MODEL are set). */
    drafting: Type.Boolean(),
    /** Whether a draft request sends a few sample rows of each source to the model (KALLA_LLM_SAMPLE_VALUES). */
    sample_values_shared: Type.Boolean()
  }, { additionalProperties: false })
})
