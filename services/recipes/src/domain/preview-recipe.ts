import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { isEngineError, readResultPage, runJobInProcess } from '@kalla/engine'
import { recipeJob, recipeProblems, type Job, type PreviewRecipe, type RecipePreview, type RequestOf } from '@kalla/proto'
import { CodedError } from '@kalla/service'
import { RecipeInvalidError, RecipesErrors } from '../errors.ts'
import type { RecipesDeps } from './deps.ts'
import { previewBindings } from './preview-inputs.ts'
import { credentialProblems } from './recipe-credentials.ts'
import { recipeShape } from './validate-recipe.ts'

/**
 * A dry run: matches the first `sample_rows` records of each source with the engine, in a temporary
 * directory that is removed afterwards, and returns the counts and the first `row_limit` rows of each
 * result. No run is created. Engine failures keep the engine's code and message.
 */
export async function previewRecipe (deps: RecipesDeps, request: RequestOf<typeof PreviewRecipe>): Promise<RecipePreview> {
  const problems = recipeProblems(request.recipe)
  if (problems.length > 0 || !recipeShape.check(request.recipe)) throw new RecipeInvalidError(problems)
  const credentials = credentialProblems(request.recipe)
  if (credentials.length > 0) throw new RecipeInvalidError(credentials)
  const recipe = request.recipe
  await mkdir(deps.engine.workDir, { recursive: true })
  const dir = await mkdtemp(join(deps.engine.workDir, 'kalla-preview-'))
  try {
    const bindings = await previewBindings(deps, recipe, request.files ?? [], dir)
    const built = recipeJob(recipe, bindings, { run_id: `preview-${randomBytes(6).toString('hex')}`, output_path: join(dir, 'results') })
    if (built.job === undefined) throw RecipesErrors.RECIPES_FILE_MISSING(`Bind a file to ${built.unbound.join(' and ')}.`)
    const job: Job = { ...built.job, sources: built.job.sources.map((s) => ({ ...s, sample_rows: s.sample_rows ?? request.sample_rows })) }
    const done = await runEngine(deps, job, dir)
    const page = { limit: request.row_limit, offset: 0 }
    const [matched, unmatchedLeft, unmatchedRight] = await Promise.all([
      readResultPage(done.outputs.matched, page),
      readResultPage(done.outputs.unmatched_left, page),
      readResultPage(done.outputs.unmatched_right, page)
    ])
    return {
      matched_count: done.matched_count,
      unmatched_left_count: done.unmatched_left_count,
      unmatched_right_count: done.unmatched_right_count,
      matched: matched.rows,
      unmatched_left: unmatchedLeft.rows,
      unmatched_right: unmatchedRight.rows
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function runEngine (deps: RecipesDeps, job: Job, dir: string): ReturnType<typeof runJobInProcess> {
  try {
    // A preview of a runaway SQL ends at its time limit for sure: its process is killed if need be.
    return await runJobInProcess(job, { workDir: dir, memoryLimit: deps.engine.memoryLimit, timeoutMs: deps.engine.previewTimeoutMs })
  } catch (error) {
    if (!isEngineError(error)) throw error
    const status = error.code === 'ENGINE_INTERNAL' ? 500 : error.permanent ? 400 : 503
    throw new CodedError(error.code, error.message, { statusCode: status, cause: error })
  }
}
