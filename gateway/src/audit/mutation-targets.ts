import type { TargetIds } from './recorder.ts'

type Args = Record<string, any>
type Result = Record<string, any> | undefined
type TargetRule = (args: Args, result: Result) => TargetIds

const uploadIds = (files: unknown): string[] | undefined =>
  Array.isArray(files) ? files.map((f: { uploadId?: unknown }) => String(f.uploadId)) : undefined

/**
 * The ids each mutation's audit entry names, from its arguments and, once it succeeded, its result.
 * A mutation without a rule is still recorded, with its arguments and no targets.
 */
export const MUTATION_TARGETS: Record<string, TargetRule> = {
  registerSource: (args) => ({ sourceAlias: args.input?.alias }),
  removeSource: (args) => ({ sourceAlias: args.alias }),
  saveRecipe: (args) => ({ recipeId: args.input?.recipeId }),
  importRecipe: (args, result) => ({ recipeId: result?.recipeId ?? args.recipe?.recipe_id }),
  deleteRecipe: (args) => ({ recipeId: args.recipeId }),
  validateRecipe: (args) => ({ recipeId: args.input?.recipeId }),
  previewRecipe: (args) => ({ recipeId: args.input?.recipeId, uploadIds: uploadIds(args.files) }),
  draftRecipe: (args) => ({ uploadIds: Array.isArray(args.sources) ? args.sources.filter((s: { uploadId?: unknown }) => s.uploadId != null).map((s: { uploadId?: unknown }) => String(s.uploadId)) : undefined }),
  suggestRecipes: (args) => ({ uploadIds: Array.isArray(args.sources) ? args.sources.filter((s: { uploadId?: unknown }) => s.uploadId != null).map((s: { uploadId?: unknown }) => String(s.uploadId)) : undefined }),
  startRun: (args, result) => ({ recipeId: args.input?.recipeId, runId: result?.runId, uploadIds: uploadIds(args.input?.files) }),
  cancelRun: (args) => ({ runId: args.runId }),
  recordManualMatch: (args, result) => ({ recipeId: args.input?.recipeId, decisionId: result?.decisionId }),
  recordUnmatch: (args, result) => ({ recipeId: args.input?.recipeId, decisionId: result?.decisionId }),
  reviewDecision: (args) => ({ decisionId: args.decisionId }),
  revokeDecision: (args) => ({ decisionId: args.decisionId }),
  updateExceptions: (args) => ({ recipeId: args.recipeId }),
  updateRunExceptions: (args) => ({ runId: args.runId }),
  reviewWriteOff: (args) => ({ recipeId: args.recipeId }),
  setRecipeFourEyes: (args) => ({ recipeId: args.recipeId }),
  createApiKey: (_args, result) => ({ keyId: result?.id }),
  revokeApiKey: (args) => ({ keyId: args.id })
}
