import type { Draft, RecipeInput, SideDraft } from './recipe-draft.ts'

type SourceInput = RecipeInput['left']
type OptionsInput = NonNullable<SourceInput['options']>

/** One source of a recipe in Kalla's recipe-file format (snake_case JSON), as suggestRecipes and draftRecipe answer it. */
interface FileSource {
  alias: string
  type: string
  uri?: string
  schema?: string[]
  primary_key: string[]
  options?: { file?: { delimiter?: string, encoding?: string, header_row?: number, sheet?: string }, columns?: Record<string, { type?: string, decimal_separator?: string, thousands_separator?: string, date_format?: string }> }
}

/** A recipe in the recipe-file format. */
export interface RecipeFile { recipe_id: string, name: string, match_sql: string, match_description?: string, sources: { left: FileSource, right: FileSource } }

/** What a side of the assistant reads: an uploaded file (its id and columns) or a registered source. */
export interface PickedSource { alias: string, uploadId?: string, uri?: string, columns: string[] }

// GraphQL's enums are the file format's values in upper case, with '-' as '_' (utf-8 -> UTF_8).
const upper = <T extends string>(value: string): T => value.toUpperCase().replace(/-/g, '_') as T

function optionsInput (options: FileSource['options']): OptionsInput | undefined {
  if (options === undefined) return undefined
  const file = options.file
  return {
    ...(file === undefined
      ? {}
      : { file: { delimiter: file.delimiter, encoding: file.encoding === undefined ? undefined : upper(file.encoding), headerRow: file.header_row, sheet: file.sheet } }),
    ...(options.columns === undefined
      ? {}
      : {
          columns: Object.entries(options.columns).map(([name, c]) => ({
            name, type: c.type === undefined ? undefined : upper(c.type), decimalSeparator: c.decimal_separator, thousandsSeparator: c.thousands_separator, dateFormat: c.date_format
          }))
        })
  } as OptionsInput
}

/**
 * One side of the form for a source of a recipe file: the recipe's keys, options and (for persistent
 * sources) URI are kept in `saved`, so a composite key or a reading option survives editing; a file
 * source is bound to the upload the assistant read.
 */
function sideDraft (source: FileSource, picked: PickedSource): SideDraft {
  const options = optionsInput(source.options)
  const saved: SourceInput = {
    alias: source.alias,
    type: upper(source.type),
    primaryKey: source.primary_key,
    ...(source.uri === undefined ? {} : { uri: source.uri }),
    ...(source.schema === undefined ? {} : { schema: source.schema }),
    ...(options === undefined ? {} : { options })
  }
  return { alias: source.alias, uploadId: picked.uploadId ?? '', columns: source.schema ?? picked.columns, primaryKey: source.primary_key[0] ?? '', saved }
}

/** The form's draft for a suggested or drafted recipe, bound to the two sources the assistant read. */
export function draftFromRecipeFile (recipe: RecipeFile, left: PickedSource, right: PickedSource): Draft {
  return {
    recipeId: recipe.recipe_id,
    name: recipe.name,
    matchSql: recipe.match_sql,
    matchDescription: recipe.match_description ?? '',
    left: sideDraft(recipe.sources.left, left),
    right: sideDraft(recipe.sources.right, right)
  }
}

/** The SuggestSourceInput the API takes for a picked source. */
export function suggestSource (picked: PickedSource): { alias: string, uploadId?: string, uri?: string } {
  return { alias: picked.alias, ...(picked.uploadId === undefined ? {} : { uploadId: picked.uploadId }), ...(picked.uri === undefined ? {} : { uri: picked.uri }) }
}

/** A table name for a file: its name without the extension, in lower case, letters, digits and underscores. */
export function aliasFor (name: string): string {
  const base = name.replace(/\.[^.]+$/, '').toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '')
  return /^[a-z]/.test(base) ? base : `s_${base}`
}
