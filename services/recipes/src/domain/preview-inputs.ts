import { realpath, stat } from 'node:fs/promises'
import { basename, join, sep } from 'node:path'
import { BusError, isNotFound, isUnavailable } from '@kalla/bus'
import { GetUpload, ResolveSource, type Recipe, type RecipeSource, type SourceBinding, type Upload, SOURCE_REFERENCE } from '@kalla/proto'
import { assertKey, isStorageError } from '@kalla/storage'
import { RecipesErrors } from '../errors.ts'
import type { RecipesDeps } from './deps.ts'

type Files = readonly { alias: string, upload_id: string }[]

/**
 * Where each source of a preview reads from: file sources from their bound upload (a local file, copied
 * into `dir` first unless the storage is this machine's disk), persistent sources from their URI or the
 * registered source it names.
 */
export async function previewBindings (deps: RecipesDeps, recipe: Recipe, files: Files, dir: string): Promise<Record<string, SourceBinding>> {
  const sources = [recipe.sources.left, recipe.sources.right]
  const fileAliases = sources.filter((s) => s.type === 'file').map((s) => s.alias)
  for (const file of files) {
    if (!fileAliases.includes(file.alias)) {
      throw RecipesErrors.RECIPES_FILE_UNEXPECTED(`The recipe ${recipe.recipe_id} has no file source "${file.alias}"; its file sources are: ${fileAliases.join(', ') || 'none'}.`)
    }
  }
  const bindings: Record<string, SourceBinding> = {}
  for (const source of sources) {
    if (source.type === 'file') {
      const file = files.find((f) => f.alias === source.alias)
      if (file === undefined) throw RecipesErrors.RECIPES_FILE_MISSING(`The ${source.alias} source is a file: upload one and bind it to "${source.alias}" to preview the recipe.`)
      const upload = await fetchUpload(deps, file.upload_id)
      bindings[source.alias] = { uri: await localCopy(deps, upload, join(dir, 'inputs', source.alias)), format: upload.format, type: 'file' }
    } else {
      bindings[source.alias] = await persistentBinding(deps, source)
    }
  }
  return bindings
}

export async function fetchUpload (deps: RecipesDeps, uploadId: string): Promise<Upload> {
  return await askSources(() => deps.bus.request(GetUpload, { upload_id: uploadId }), (error) =>
    RecipesErrors.RECIPES_UPLOAD_NOT_FOUND(`There is no upload "${uploadId}" (uploads expire; upload the file again).`, error))
}

export async function localCopy (deps: RecipesDeps, upload: Upload, dir: string): Promise<string> {
  if (deps.storage.kind === 'local' && deps.localRoot !== undefined) {
    assertKey(upload.key)
    const inPlace = await storedFile(deps.localRoot, upload.key)
    if (inPlace !== undefined) return inPlace
  }
  // Named after the uploaded file, so the engine's messages name the file the user knows.
  const target = join(dir, basename(upload.filename) || 'upload')
  try {
    await deps.storage.download(upload.key, target)
  } catch (error) {
    if (isStorageError(error, 'STORAGE_NOT_FOUND')) throw RecipesErrors.RECIPES_UPLOAD_NOT_FOUND(`The file of upload "${upload.upload_id}" (${upload.filename}) is no longer stored: upload it again.`, error)
    throw error
  }
  return target
}

/** The file of `key` under the storage directory, unless it is missing or a link leads outside the directory. */
async function storedFile (root: string, key: string): Promise<string | undefined> {
  const [realRoot, real] = await Promise.all([realpath(root), realpath(join(root, key))].map((p) => p.catch(() => undefined)))
  if (realRoot === undefined || real === undefined || !real.startsWith(realRoot + sep)) return undefined
  return await stat(real).then((s) => s.isFile() ? real : undefined, () => undefined)
}

export async function persistentBinding (deps: RecipesDeps, source: RecipeSource): Promise<SourceBinding> {
  const reference = SOURCE_REFERENCE.exec(source.uri ?? '')?.[1]
  if (reference === undefined) return { uri: source.uri ?? '', type: source.type }
  // Resolved as the matcher does, proven and sealed with KALLA_RESOLVE_KEY; the URI stays in this preview's memory.
  const { request, open } = deps.access.ask(reference)
  const resolved = open(await askSources(() => deps.bus.request(ResolveSource, request), (error) =>
    RecipesErrors.RECIPES_SOURCE_NOT_FOUND(`The ${source.alias} source refers to the registered source "${reference}", which does not exist: register it first or correct the uri.`, error)))
  return { uri: resolved.uri, type: resolved.type }
}

/** A request to the sources service, with its "not found" and "not answering" turned into this service's codes. */
async function askSources<T> (request: () => Promise<T>, notFound: (error: BusError) => Error): Promise<T> {
  try {
    return await request()
  } catch (error) {
    if (!(error instanceof BusError)) throw error
    if (isNotFound(error)) throw notFound(error)
    if (isUnavailable(error)) throw RecipesErrors.RECIPES_SOURCES_UNAVAILABLE('The sources service did not answer, so the preview cannot read its files and sources. Try again in a moment.', error)
    throw error
  }
}
