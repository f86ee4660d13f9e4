import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { isEngineError, suggestRecipes as suggestFromData, type SuggestSource as EngineSource } from '@kalla/engine'
import { redactUri, sourceTypeOf, uriHasCredentials, type Recipe, type RecipeSuggestions, type RequestOf, type SuggestRecipes, type SuggestSource } from '@kalla/proto'
import { CodedError } from '@kalla/service'
import { RecipesErrors } from '../errors.ts'
import type { RecipesDeps } from './deps.ts'
import { fetchUpload, localCopy, persistentBinding } from './preview-inputs.ts'

/**
 * Ranked recipe suggestions for two sources, each an upload or a (registered) source URI, made by the
 * engine from their first `sample_rows` rows in a temporary directory removed afterwards. Engine
 * failures keep the engine's code; a suggestion that takes longer than a preview may is stopped.
 */
export async function suggestRecipes (deps: RecipesDeps, request: RequestOf<typeof SuggestRecipes>): Promise<RecipeSuggestions> {
  const [left, right] = request.sources
  if (left === undefined || right === undefined) throw RecipesErrors.RECIPES_SUGGEST_INVALID('Give exactly two sources to suggest a recipe for.')
  if (left.alias.toLowerCase() === right.alias.toLowerCase()) throw RecipesErrors.RECIPES_SUGGEST_INVALID(`Both sources are called "${left.alias}": give them different names.`)
  await mkdir(deps.engine.workDir, { recursive: true })
  const dir = await mkdtemp(join(deps.engine.workDir, 'kalla-suggest-'))
  try {
    const sources = [await engineSource(deps, left, dir), await engineSource(deps, right, dir)] as const
    const result = await suggestFromData(sources[0], sources[1], { workDir: dir, memoryLimit: deps.engine.memoryLimit, timeoutMs: deps.engine.previewTimeoutMs, sampleRows: request.sample_rows, limit: request.limit })
    return {
      suggestions: result.suggestions.map((s) => ({ ...s, recipe: asRequested(s.recipe as Recipe, request.sources) })),
      ...(result.none === undefined ? {} : { none: result.none }),
      notes: result.profile.notes
    }
  } catch (error) {
    if (!isEngineError(error)) throw error
    const status = error.code === 'ENGINE_INTERNAL' ? 500 : error.permanent ? 400 : 503
    throw new CodedError(error.code, error.message, { statusCode: status, cause: error })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * The recipe naming each persistent source as the request did: a registered source stays
 * "source:<alias>" instead of the URI it resolved to, whose credentials must not leave this service.
 */
export function asRequested (recipe: Recipe, requested: readonly SuggestSource[]): Recipe {
  const side = (source: Recipe['sources']['left'], asked: SuggestSource | undefined): Recipe['sources']['left'] =>
    asked?.uri === undefined || source.uri === undefined ? source : { ...source, uri: asked.uri }
  return { ...recipe, sources: { left: side(recipe.sources.left, requested[0]), right: side(recipe.sources.right, requested[1]) } }
}

export async function engineSource (deps: RecipesDeps, source: SuggestSource, dir: string): Promise<EngineSource> {
  const options = source.options === undefined ? {} : { options: source.options }
  if ((source.upload_id === undefined) === (source.uri === undefined)) {
    throw RecipesErrors.RECIPES_SUGGEST_INVALID(`Give the ${source.alias} source either an upload_id (an uploaded file) or a uri (source:<alias> for a registered source), not ${source.uri === undefined ? 'neither' : 'both'}.`)
  }
  if (source.upload_id !== undefined) {
    const upload = await fetchUpload(deps, source.upload_id)
    return { alias: source.alias, type: 'file', uri: await localCopy(deps, upload, join(dir, 'inputs', source.alias)), format: upload.format, ...options }
  }
  if (uriHasCredentials(source.uri!)) {
    throw RecipesErrors.RECIPES_URI_HAS_CREDENTIALS(`The ${source.alias} source has credentials in its uri (${redactUri(source.uri!)}). Suggested recipes are shown in clear: register the source (registerSource keeps its URI encrypted) and give "source:<alias>".`)
  }
  const type = source.uri!.startsWith('source:') ? 'postgres' : sourceTypeOf(source.uri!)
  const bound = await persistentBinding(deps, { alias: source.alias, type, uri: source.uri!, primary_key: [] })
  const boundType = bound.type ?? type
  // A path on the server is not the user's to read: files come as uploads.
  if (boundType === 'file') throw RecipesErrors.RECIPES_SUGGEST_INVALID(`The ${source.alias} source is a file path: upload the file and give its upload_id instead.`)
  return { alias: source.alias, type: boundType, uri: bound.uri, ...options }
}
