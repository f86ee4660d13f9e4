import { CancelRun, DeleteRecipe, DraftRecipe, PreviewRecipe, RegisterSource, RemoveSource, SaveRecipe, StartRun, SuggestRecipes, ValidateRecipe, type SourceType } from '@kalla/proto'
import { ask, type GatewayDeps } from '../deps.ts'
import { fromInput, withInputPaths } from './input-paths.ts'
import { fromFileBindings, fromRecipeInput, fromSuggestSource, toDraft, toPreview, toRecipe, toRun, toSource, toSuggestions, type GqlFileBinding, type GqlRecipeInput, type GqlSuggestSource } from './mapping.ts'

const PREVIEW_ROWS = 20

/** Mutation resolvers: each sends one request to the service that owns the data. */
export function mutationResolvers (deps: GatewayDeps) {
  return {
    registerSource: async (_: unknown, { input }: { input: { alias: string, type: SourceType, uri: string } }) =>
      toSource(await ask(deps, RegisterSource, { alias: input.alias, type: input.type, uri: input.uri })),
    removeSource: async (_: unknown, { alias }: { alias: string }) => (await ask(deps, RemoveSource, { alias })).removed,
    saveRecipe: async (_: unknown, { input }: { input: GqlRecipeInput }) =>
      toRecipe(await fromInput(ask(deps, SaveRecipe, { recipe: fromRecipeInput(input) }))),
    // The recipe file's own JSON, as `kalla` reads it: problems keep the file's (snake_case) names.
    importRecipe: async (_: unknown, { recipe }: { recipe: unknown }) =>
      toRecipe(await ask(deps, SaveRecipe, { recipe })),
    deleteRecipe: async (_: unknown, { recipeId }: { recipeId: string }) => (await ask(deps, DeleteRecipe, { recipe_id: recipeId })).deleted,
    validateRecipe: async (_: unknown, { input }: { input: GqlRecipeInput }) => {
      const validation = await fromInput(ask(deps, ValidateRecipe, { recipe: fromRecipeInput(input) }))
      return { ...validation, problems: withInputPaths(validation.problems) }
    },
    previewRecipe: async (_: unknown, args: { input: GqlRecipeInput, files?: GqlFileBinding[] | null, sampleRows: number }) => {
      const files = fromFileBindings(args.files)
      const request = { recipe: fromRecipeInput(args.input), sample_rows: args.sampleRows, row_limit: PREVIEW_ROWS, ...(files === undefined ? {} : { files }) }
      return toPreview(await fromInput(ask(deps, PreviewRecipe, request)))
    },
    suggestRecipes: async (_: unknown, args: { sources: GqlSuggestSource[], sampleRows: number, limit: number }) =>
      toSuggestions(await fromInput(ask(deps, SuggestRecipes, { sources: args.sources.map(fromSuggestSource), sample_rows: args.sampleRows, limit: args.limit }))),
    draftRecipe: async (_: unknown, args: { sources: GqlSuggestSource[], prompt: string, sampleRows: number }) =>
      toDraft(await ask(deps, DraftRecipe, { sources: args.sources.map(fromSuggestSource), prompt: args.prompt, sample_rows: args.sampleRows })),
    startRun: async (_: unknown, { input }: { input: { recipeId: string, files?: GqlFileBinding[] | null } }) => {
      const files = fromFileBindings(input.files)
      return toRun(await ask(deps, StartRun, { recipe_id: input.recipeId, ...(files === undefined ? {} : { files }) }))
    },
    cancelRun: async (_: unknown, { runId }: { runId: string }) => toRun(await ask(deps, CancelRun, { run_id: runId }))
  }
}
