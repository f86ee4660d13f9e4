import type { ColumnOptions, Recipe, RecipeDraft, RecipePreview, RecipeSuggestions, SuggestSource, RecipeSource, Run, Source, SourceOptions, StoredRecipe } from '@kalla/proto'

// Field names are camelCase in GraphQL and snake_case in the services' contracts; enums already map
// through the schema (SUBMITTED <-> 'submitted'), so values pass through unchanged.

export interface GqlColumnOptions { name: string, type?: string | null, decimalSeparator?: string | null, thousandsSeparator?: string | null, dateFormat?: string | null }
export interface GqlFileOptions { delimiter?: string | null, encoding?: string | null, headerRow?: number | null, sheet?: string | null }
export interface GqlSourceOptions { file?: GqlFileOptions | null, columns?: GqlColumnOptions[] | null }
export interface GqlRecipeSource { alias: string, type: string, uri?: string | null, schema?: string[] | null, primaryKey: string[], options?: GqlSourceOptions | null }
export interface GqlRecipeInput {
  recipeId: string
  name: string
  description?: string | null
  matchSql: string
  matchDescription?: string | null
  left: GqlRecipeSource
  right: GqlRecipeSource
}
export interface GqlFileBinding { alias: string, uploadId: string }

/** A run as GraphQL shows it; `recipeId` stays for the Run.recipe loader. */
export interface GqlRun {
  runId: string
  recipeId: string
  status: Run['status']
  stage: string | null
  progress: number | null
  matchedCount: number | null
  matchedLeft: number | null
  matchedRight: number | null
  decisionCounts: Record<string, number> | null
  explanation: Record<string, unknown> | null
  unmatchedLeftCount: number | null
  unmatchedRightCount: number | null
  totalLeft: number | null
  totalRight: number | null
  error: { code: string, message: string, stage: string | null } | null
  outputs: { matched: string, unmatchedLeft: string, unmatchedRight: string } | null
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
}

export interface GqlRunProgress {
  runId: string
  status: Run['status']
  stage: string | null
  source: string | null
  progress: number | null
  matchedCount: number | null
  totalLeft: number | null
  totalRight: number | null
  at: string
}

export function toSource (source: Source & { problem?: { code: string, message: string } }) {
  return { alias: source.alias, type: source.type, uri: source.uri, columns: source.columns, createdAt: source.created_at, updatedAt: source.updated_at, problem: source.problem ?? null }
}

export function toRecipe (stored: StoredRecipe) {
  const { recipe } = stored
  return {
    recipeId: recipe.recipe_id,
    name: recipe.name,
    description: recipe.description ?? '',
    matchSql: recipe.match_sql,
    matchDescription: recipe.match_description ?? '',
    left: toRecipeSource(recipe.sources.left),
    right: toRecipeSource(recipe.sources.right),
    createdAt: stored.created_at,
    updatedAt: stored.updated_at,
    json: recipe
  }
}

function toRecipeSource (source: RecipeSource): GqlRecipeSource {
  return { alias: source.alias, type: source.type, uri: source.uri ?? null, schema: source.schema ?? null, primaryKey: source.primary_key, options: toSourceOptions(source.options) }
}

// GraphQL has no maps: the contract's columns keyed by name become a list of entries with a name.
function toSourceOptions (options: SourceOptions | undefined): GqlSourceOptions | null {
  if (options === undefined) return null
  const file = options.file
  return {
    file: file === undefined ? null : { delimiter: file.delimiter ?? null, encoding: file.encoding ?? null, headerRow: file.header_row ?? null, sheet: file.sheet ?? null },
    columns: options.columns === undefined
      ? null
      : Object.entries(options.columns).map(([name, c]) => ({ name, type: c.type ?? null, decimalSeparator: c.decimal_separator ?? null, thousandsSeparator: c.thousands_separator ?? null, dateFormat: c.date_format ?? null }))
  }
}

function fromSourceOptions (options: GqlSourceOptions): SourceOptions {
  const file = options.file
  return {
    ...(file === null || file === undefined
      ? {}
      : { file: { ...present('delimiter', file.delimiter), ...present('encoding', file.encoding), ...present('header_row', file.headerRow), ...present('sheet', file.sheet) } as SourceOptions['file'] }),
    ...(options.columns === null || options.columns === undefined
      ? {}
      : { columns: Object.fromEntries(options.columns.map((c) => [c.name, { ...present('type', c.type), ...present('decimal_separator', c.decimalSeparator), ...present('thousands_separator', c.thousandsSeparator), ...present('date_format', c.dateFormat) } as ColumnOptions])) })
  }
}

/** The recipe contract from GraphQL input; absent and null optional fields are left out, not sent as null. */
export function fromRecipeInput (input: GqlRecipeInput): Recipe {
  return {
    recipe_id: input.recipeId,
    name: input.name,
    ...present('description', input.description),
    match_sql: input.matchSql,
    ...present('match_description', input.matchDescription),
    sources: { left: fromRecipeSource(input.left), right: fromRecipeSource(input.right) }
  }
}

function fromRecipeSource (source: GqlRecipeSource): RecipeSource {
  return {
    alias: source.alias,
    type: source.type as RecipeSource['type'],
    ...present('uri', source.uri),
    ...present('schema', source.schema),
    primary_key: source.primaryKey,
    ...(source.options === null || source.options === undefined ? {} : { options: fromSourceOptions(source.options) })
  }
}

export function fromFileBindings (files: readonly GqlFileBinding[] | null | undefined): { alias: string, upload_id: string }[] | undefined {
  return files === null || files === undefined ? undefined : files.map((f) => ({ alias: f.alias, upload_id: f.uploadId }))
}

export function toPreview (preview: RecipePreview) {
  return {
    matchedCount: preview.matched_count,
    unmatchedLeftCount: preview.unmatched_left_count,
    unmatchedRightCount: preview.unmatched_right_count,
    matched: preview.matched,
    unmatchedLeft: preview.unmatched_left,
    unmatchedRight: preview.unmatched_right
  }
}

export function toRun (run: Run): GqlRun {
  return {
    runId: run.run_id,
    recipeId: run.recipe_id,
    status: run.status,
    stage: run.stage ?? null,
    progress: run.progress ?? null,
    matchedCount: run.matched_count ?? null,
    matchedLeft: run.matched_left ?? null,
    matchedRight: run.matched_right ?? null,
    decisionCounts: run.decisions === undefined ? null : camelKeys(run.decisions),
    explanation: run.explain === undefined ? null : { ...run.explain, explainedLeft: run.explain.explained_left, explainedRight: run.explain.explained_right, reason: run.explain.reason ?? null },
    unmatchedLeftCount: run.unmatched_left_count ?? null,
    unmatchedRightCount: run.unmatched_right_count ?? null,
    totalLeft: run.total_left ?? null,
    totalRight: run.total_right ?? null,
    error: run.error === undefined ? null : { code: run.error.code, message: run.error.message, stage: run.error.stage },
    outputs: run.outputs === undefined ? null : { matched: run.outputs.matched, unmatchedLeft: run.outputs.unmatched_left, unmatchedRight: run.outputs.unmatched_right },
    createdAt: run.created_at,
    startedAt: run.started_at ?? null,
    finishedAt: run.finished_at ?? null
  }
}

/** A run's recorded state as a progress step; `at` is when the run last changed. */
export function runAsProgress (run: Run): GqlRunProgress {
  return {
    runId: run.run_id,
    status: run.status,
    stage: run.stage ?? null,
    source: run.source ?? null,
    progress: run.progress ?? null,
    matchedCount: run.matched_count ?? null,
    totalLeft: run.total_left ?? null,
    totalRight: run.total_right ?? null,
    at: run.updated_at
  }
}

function camelKeys (value: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]))
}

function present<K extends string, V> (key: K, value: V | null | undefined): { [P in K]?: V } {
  return (value === null || value === undefined ? {} : { [key]: value }) as { [P in K]?: V }
}

export interface GqlSuggestSource { alias: string, uploadId?: string | null, uri?: string | null, options?: GqlSourceOptions | null }

export function fromSuggestSource (source: GqlSuggestSource): SuggestSource {
  return {
    alias: source.alias,
    ...(source.uploadId === null || source.uploadId === undefined ? {} : { upload_id: source.uploadId }),
    ...(source.uri === null || source.uri === undefined ? {} : { uri: source.uri }),
    ...(source.options === null || source.options === undefined ? {} : { options: fromSourceOptions(source.options) })
  }
}

export function toSuggestions (answer: RecipeSuggestions) {
  return {
    suggestions: answer.suggestions.map((s) => ({
      rank: s.rank,
      pattern: s.pattern,
      name: s.recipe.name,
      matchSql: s.recipe.match_sql,
      matchDescription: s.recipe.match_description ?? '',
      evidence: s.evidence,
      preview: { matchedLeft: s.preview.matched_left, matchedRight: s.preview.matched_right, totalLeft: s.preview.total_left, totalRight: s.preview.total_right, matchRate: s.preview.match_rate },
      recipe: s.recipe
    })),
    noGoodRecipe: answer.none ?? null,
    notes: answer.notes
  }
}

export function toDraft (draft: RecipeDraft) {
  return {
    recipe: draft.recipe ?? null,
    matchSql: draft.recipe?.match_sql ?? null,
    matchDescription: draft.recipe?.match_description ?? null,
    problems: draft.problems,
    preview: draft.preview === undefined ? null : { matchedCount: draft.preview.matched_count, unmatchedLeftCount: draft.preview.unmatched_left_count, unmatchedRightCount: draft.preview.unmatched_right_count },
    sampleValuesShared: draft.sample_values_shared
  }
}
