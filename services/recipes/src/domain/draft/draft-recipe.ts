import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { bindMatchSql, describeSource, previewSource, runJob, type SuggestSource as EngineSource } from '@kalla/engine'
import { recipeJob, recipeProblems, type DraftRecipe, type Problem, type Recipe, type RecipeDraft, type RequestOf } from '@kalla/proto'
import { RecipesErrors } from '../../errors.ts'
import type { RecipesDeps } from '../deps.ts'
import { asRequested, engineSource } from '../suggest-recipes.ts'
import { chatCompletion } from './chat.ts'
import { draftMessages, readAnswer, type SourceSketch } from './prompt.ts'

/**
 * Drafts a recipe from plain words with the operator's language model. The model sees each source's
 * columns (and a few sample rows only when KALLA_LLM_SAMPLE_VALUES allows); its answer is only a draft:
 * bound against the real columns and validated like any recipe, and run on a sample only when no
 * problem was found, so SQL the engine forbids is never executed.
 */
export async function draftRecipe (deps: RecipesDeps, request: RequestOf<typeof DraftRecipe>): Promise<RecipeDraft> {
  const llm = deps.llm
  if (llm === undefined) throw RecipesErrors.RECIPES_LLM_OFF('Drafting recipes from plain words is off: the operator has not configured a language model (KALLA_LLM_URL and KALLA_LLM_MODEL). Use suggestRecipes, which needs none.')
  const [leftSource, rightSource] = request.sources
  if (leftSource === undefined || rightSource === undefined) throw RecipesErrors.RECIPES_SUGGEST_INVALID('Give exactly two sources to draft a recipe for.')
  await mkdir(deps.engine.workDir, { recursive: true })
  const dir = await mkdtemp(join(deps.engine.workDir, 'kalla-draft-'))
  try {
    const sources = [await engineSource(deps, leftSource, dir), await engineSource(deps, rightSource, dir)] as const
    const sketches = [await sketch(deps, sources[0], llm.sampleValues), await sketch(deps, sources[1], llm.sampleValues)] as const
    const answer = readAnswer(await chatCompletion(llm, draftMessages(sketches, request.prompt)))
    if (!answer.ok) return { problems: [answer.problem], sample_values_shared: llm.sampleValues }
    const recipe = asRequested(draftedRecipe(sources, sketches, answer.value, request.prompt), request.sources)
    const problems = await draftProblems(deps, recipe, sketches)
    if (problems.length > 0) return { recipe, problems, sample_values_shared: llm.sampleValues }
    return { recipe, problems: [], preview: await preview(deps, recipe, sources, dir, request.sample_rows), sample_values_shared: llm.sampleValues }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function sketch (deps: RecipesDeps, source: EngineSource, withValues: boolean): Promise<SourceSketch> {
  const spec = { type: source.type, uri: source.uri, alias: source.alias, ...(source.format === undefined ? {} : { format: source.format }), ...(source.options === undefined ? {} : { options: source.options }) }
  const limits = { workDir: deps.engine.workDir, memoryLimit: deps.engine.memoryLimit }
  const { columns } = await describeSource(spec, limits)
  const rows = withValues ? (await previewSource(spec, { limit: 5 }, limits)).rows : []
  return { alias: source.alias, columns, rows }
}

function draftedRecipe (sources: readonly [EngineSource, EngineSource], sketches: readonly [SourceSketch, SourceSketch], answer: { match_sql: string, match_description: string, left_primary_key: string[], right_primary_key: string[] }, prompt: string): Recipe {
  const side = (source: EngineSource, s: SourceSketch, keys: string[]): Recipe['sources']['left'] => ({
    alias: source.alias,
    type: source.type,
    primary_key: keys,
    ...(source.type === 'file' ? { schema: s.columns.map((c) => c.name) } : { uri: source.uri }),
    ...(source.options === undefined ? {} : { options: source.options })
  })
  return {
    recipe_id: `${sources[0].alias}-${sources[1].alias}-draft`,
    name: prompt.trim().slice(0, 200) || 'Drafted recipe',
    match_sql: answer.match_sql,
    match_description: answer.match_description,
    sources: { left: side(sources[0], sketches[0], answer.left_primary_key), right: side(sources[1], sketches[1], answer.right_primary_key) }
  }
}

async function draftProblems (deps: RecipesDeps, recipe: Recipe, sketches: readonly [SourceSketch, SourceSketch]): Promise<Problem[]> {
  const problems = recipeProblems(recipe)
  if (recipe.match_sql.trim() === '') return problems
  const { left, right } = recipe.sources
  const bound = await bindMatchSql(recipe.match_sql,
    { alias: left.alias, keys: left.primary_key, columns: sketches[0].columns },
    { alias: right.alias, keys: right.primary_key, columns: sketches[1].columns },
    { workDir: deps.engine.workDir })
  return [...problems, ...bound.problems]
}

async function preview (deps: RecipesDeps, recipe: Recipe, sources: readonly [EngineSource, EngineSource], dir: string, sampleRows: number): Promise<RecipeDraft['preview']> {
  const bindings = Object.fromEntries(sources.map((s) => [s.alias, { uri: s.uri, type: s.type, ...(s.format === undefined ? {} : { format: s.format }) }]))
  const { job } = recipeJob(recipe, bindings, { run_id: 'draft-preview', output_path: join(dir, 'results') })
  const done = await runJob({ ...job!, sources: job!.sources.map((s) => ({ ...s, sample_rows: sampleRows })) }, { workDir: dir, memoryLimit: deps.engine.memoryLimit, timeoutMs: deps.engine.previewTimeoutMs })
  return { matched_count: done.matched_count, unmatched_left_count: done.unmatched_left_count, unmatched_right_count: done.unmatched_right_count }
}
