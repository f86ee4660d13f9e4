import Type, { type Static } from 'typebox'
import { checker, type Problem } from './schema.ts'
import { Identifier, isPlainIdentifier } from './identifiers.ts'
import { SourceOptions } from './source-options.ts'

export const SourceTypes = ['postgres', 'bigquery', 'elasticsearch', 'file'] as const
export const SourceType = Type.Enum(SourceTypes)
export type SourceType = Static<typeof SourceType>

export const RecipeSource = Type.Object({
  alias: Identifier,
  type: SourceType,
  uri: Type.Optional(Type.String({ minLength: 1 })),
  schema: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  primary_key: Type.Array(Type.String({ minLength: 1 })),
  options: Type.Optional(SourceOptions)
}, { additionalProperties: false })
export type RecipeSource = Static<typeof RecipeSource>

export const Recipe = Type.Object({
  recipe_id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Type.String()),
  match_sql: Type.String(),
  match_description: Type.Optional(Type.String()),
  sources: Type.Object({ left: RecipeSource, right: RecipeSource }, { additionalProperties: false })
}, { additionalProperties: false })
export type Recipe = Static<typeof Recipe>

const checkRecipeShape = checker(Recipe, 'RECIPE_INVALID_FIELD')

export const Sides = ['left', 'right'] as const
export const Side = Type.Enum(Sides)
export type Side = Static<typeof Side>

/**
 * Every problem with a recipe at once: its shape, then the rules the engine relies on.
 * An empty list means the recipe can be saved; the SQL itself is checked by the engine.
 */
export function recipeProblems (value: unknown): Problem[] {
  if (!checkRecipeShape.check(value)) return checkRecipeShape.problems(value)
  const recipe = value
  const problems: Problem[] = []
  if (recipe.match_sql.trim() === '') {
    problems.push({ code: 'RECIPE_MATCH_SQL_EMPTY', message: 'The match SQL is empty: write a SELECT that returns the matched records.', path: '/match_sql' })
  }
  const { left, right } = recipe.sources
  if (left.alias.toLowerCase() === right.alias.toLowerCase()) {
    problems.push({ code: 'RECIPE_ALIASES_NOT_DISTINCT', message: `Both sources are called "${left.alias}": give the left and right sources different aliases.`, path: '/sources/right/alias' })
  }
  for (const side of Sides) problems.push(...sourceProblems(recipe.sources[side], side))
  return problems
}

function sourceProblems (source: RecipeSource, side: Side): Problem[] {
  const problems: Problem[] = []
  const at = `/sources/${side}`
  if (!isPlainIdentifier(source.alias)) {
    problems.push({ code: 'RECIPE_ALIAS_INVALID', message: `The ${side} alias "${source.alias}" cannot be used as a table name: use letters, digits and underscores, not starting with a digit, and not an SQL keyword.`, path: `${at}/alias` })
  }
  if (source.primary_key.length === 0) {
    problems.push({ code: 'RECIPE_PRIMARY_KEY_EMPTY', message: `The ${side} source "${source.alias}" needs a primary key: name the column(s) that identify each record.`, path: `${at}/primary_key` })
  }
  const duplicateKeys = duplicates(source.primary_key)
  if (duplicateKeys.length > 0) {
    problems.push({ code: 'RECIPE_PRIMARY_KEY_REPEATED', message: `The ${side} primary key names ${duplicateKeys.join(', ')} more than once.`, path: `${at}/primary_key` })
  }
  if (source.type === 'file') {
    if (source.schema === undefined || source.schema.length === 0) {
      problems.push({ code: 'RECIPE_FILE_SCHEMA_MISSING', message: `The ${side} source "${source.alias}" is a file: list the columns each uploaded file must have (schema).`, path: `${at}/schema` })
    } else {
      const repeated = duplicates(source.schema)
      if (repeated.length > 0) {
        problems.push({ code: 'RECIPE_FILE_SCHEMA_REPEATED', message: `The ${side} schema names ${repeated.join(', ')} more than once.`, path: `${at}/schema` })
      }
      const known = new Set(source.schema.map((c) => c.toLowerCase()))
      const missing = source.primary_key.filter((k) => !known.has(k.toLowerCase()))
      if (missing.length > 0) {
        problems.push({ code: 'RECIPE_PRIMARY_KEY_NOT_IN_SCHEMA', message: `The ${side} primary key column(s) ${missing.join(', ')} are not in the file schema.`, path: `${at}/primary_key` })
      }
    }
  } else if (source.uri === undefined || source.uri.trim() === '') {
    problems.push({ code: 'RECIPE_URI_MISSING', message: `The ${side} source "${source.alias}" is a ${source.type} source: give its URI.`, path: `${at}/uri` })
  }
  return problems
}

function duplicates (names: string[]): string[] {
  const seen = new Set<string>()
  const repeated = new Set<string>()
  for (const name of names) {
    const key = name.toLowerCase()
    if (seen.has(key)) repeated.add(name)
    seen.add(key)
  }
  return [...repeated]
}
