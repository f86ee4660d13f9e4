import { randomBytes } from 'node:crypto'
import { BusError, isNotFound } from '@kalla/bus'
import { DescribeUpload, GetRecipe, GetSource, GetUpload, MatchJobs, newRun, recipeJob, SOURCE_REFERENCE, uriHasCredentials, type Recipe, type RecipeSource, type Run, type SourceBinding, type StoredRecipe, type Upload } from '@kalla/proto'
import { jobDecisions } from '../db/decisions-repository.ts'
import { insertRun } from '../db/runs-repository.ts'
import { decisionsFileKey, storeDecisionsFile } from './decisions-file.ts'
import { RunsErrors } from '../errors.ts'
import type { RunsDeps } from './deps.ts'
import { publishRun } from './record-event.ts'

/**
 * Creates a run: checks that every file source is bound to an upload whose columns, read with the
 * source's options, fit the recipe's schema and that every registered source exists, records the run and
 * publishes its state, then queues a self-contained job with the run id as message id. Nothing is queued
 * unless every check passed. The job names registered sources by alias only: the matcher resolves their
 * credentials when it connects, so neither the stored run nor the queued message ever holds one.
 */
export async function startRun (deps: RunsDeps, request: { recipe_id: string, files?: { alias: string, upload_id: string }[] }): Promise<Run> {
  const recipe = (await fetchRecipe(deps, request.recipe_id)).recipe
  const bindings = await resolveBindings(deps, recipe, request.files ?? [])
  const runId = newRunId()
  const built = recipeJob(recipe, bindings, { run_id: runId, output_path: `${deps.resultsPrefix}/${runId}` })
  if (built.job === undefined) throw RunsErrors.RUNS_FILE_MISSING(`Bind a file to ${built.unbound.join(' and ')}.`)
  // Earlier decisions on this recipe's records go with the job as a file (keys only), so the engine applies them.
  const decisions = await jobDecisions(deps.db, recipe.recipe_id)
  const decisionsFile = await storeDecisionsFile(deps.storage, decisionsFileKey(built.job.output_path), decisions)
  // Every run explains its unmatched records (bench/: the cost is measured against the run without).
  const job = { ...built.job, ...(decisionsFile === undefined ? {} : { decisions_file: decisionsFile }), explain: true }
  const run = await insertRun(deps.db, newRun({ run_id: runId, recipe_id: recipe.recipe_id, at: new Date().toISOString() }), job)
  await publishRun(deps, run).catch((error: unknown) => {
    // Live views learn of the run with its first progress instead.
    deps.log.warn({ run_id: runId, err: error }, 'publishing a new run\'s state failed')
  })
  try {
    await deps.bus.publish(MatchJobs, job, { msgId: runId })
  } catch (error) {
    // The run stays submitted; the start-up sweep re-dispatches it.
    deps.log.error({ run_id: runId, err: error }, 'queueing the job failed; it will be re-dispatched')
  }
  deps.log.info({ run_id: runId, recipe_id: recipe.recipe_id }, 'run submitted')
  return run
}

function newRunId (): string {
  return `run-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(6).toString('hex')}`
}

async function fetchRecipe (deps: RunsDeps, recipeId: string): Promise<StoredRecipe> {
  try {
    return await deps.bus.request(GetRecipe, { recipe_id: recipeId })
  } catch (error) {
    if (isNotFound(error)) throw RunsErrors.RUNS_RECIPE_NOT_FOUND(`There is no recipe "${recipeId}".`, error)
    throw error
  }
}

async function resolveBindings (deps: RunsDeps, recipe: Recipe, files: { alias: string, upload_id: string }[]): Promise<Record<string, SourceBinding>> {
  const bindings: Record<string, SourceBinding> = {}
  const sources = [recipe.sources.left, recipe.sources.right]
  for (const file of files) {
    const source = sources.find((s) => s.alias === file.alias)
    if (source?.type !== 'file') {
      throw RunsErrors.RUNS_FILE_UNEXPECTED(`The recipe ${recipe.recipe_id} has no file source "${file.alias}"; its file sources are: ${sources.filter((s) => s.type === 'file').map((s) => s.alias).join(', ') || 'none'}.`)
    }
  }
  for (const source of sources) {
    if (source.type === 'file') {
      const file = files.find((f) => f.alias === source.alias)
      if (file === undefined) throw RunsErrors.RUNS_FILE_MISSING(`The ${source.alias} source is a file: upload one and bind it to "${source.alias}" when starting the run.`)
      const upload = await fetchUpload(deps, file.upload_id, source)
      checkColumns(source, upload)
      bindings[source.alias] = { uri: upload.key, format: upload.format, type: 'file' }
    } else {
      bindings[source.alias] = await persistentBinding(deps, source)
    }
  }
  return bindings
}

// An upload is described without options when it arrives; a source with options has it read as the run will
// (a `;` file in Windows-1252 whose header is on line 5 has other columns than its first line suggests).
async function fetchUpload (deps: RunsDeps, uploadId: string, source: RecipeSource): Promise<Upload> {
  try {
    const upload = source.options === undefined ? await deps.bus.request(GetUpload, { upload_id: uploadId }) : undefined
    // No columns: the file could not be read without options when it arrived; reading it again says why.
    if (upload !== undefined && upload.columns.length > 0) return upload
    return await deps.bus.request(DescribeUpload, { upload_id: uploadId, options: source.options ?? {} })
  } catch (error) {
    if (isNotFound(error)) throw RunsErrors.RUNS_UPLOAD_NOT_FOUND(`There is no upload "${uploadId}" (uploads expire; upload the file again).`, error)
    if (error instanceof BusError && error.code === 'SOURCES_UPLOAD_UNREADABLE') {
      throw RunsErrors.RUNS_UPLOAD_COLUMNS_MISMATCH(`The upload "${uploadId}" cannot be read with the options of the ${source.alias} source: ${error.message} Check the source's file options (delimiter, encoding, header_row, sheet).`, error)
    }
    throw error
  }
}

function checkColumns (source: RecipeSource, upload: Upload): void {
  const has = new Set(upload.columns.map((c) => c.name.toLowerCase()))
  const missing = (source.schema ?? []).filter((c) => !has.has(c.toLowerCase()))
  if (missing.length > 0) {
    throw RunsErrors.RUNS_UPLOAD_COLUMNS_MISMATCH(`${upload.filename} cannot be used for ${source.alias}: it is missing the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}. Its columns are: ${upload.columns.map((c) => c.name).join(', ')}.`)
  }
}

async function persistentBinding (deps: RunsDeps, source: RecipeSource): Promise<SourceBinding> {
  const uri = source.uri ?? ''
  const reference = SOURCE_REFERENCE.exec(uri)?.[1]
  if (reference === undefined) {
    // Recipes with credentials are refused when saved; one stored earlier is shown (and reaches here) masked.
    if (uriHasCredentials(uri)) throw RunsErrors.RUNS_SOURCE_CREDENTIALS_INLINE(`The ${source.alias} source's uri carries credentials, which a recipe may not hold: register the source (registerSource) and set its uri to "source:<alias>".`)
    return { uri, type: source.type }
  }
  try {
    // Only checked to exist: the job names it by reference, and the matcher resolves it when it connects.
    const registered = await deps.bus.request(GetSource, { alias: reference })
    return { uri: `source:${registered.alias}`, type: registered.type }
  } catch (error) {
    if (isNotFound(error)) throw RunsErrors.RUNS_SOURCE_NOT_FOUND(`The ${source.alias} source refers to the registered source "${reference}", which does not exist.`, error)
    throw error
  }
}
