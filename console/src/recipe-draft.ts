import type { VariablesOf } from './graphql.ts'
import type { ValidateMutation } from './pages/recipe-editor.tsx'

export type RecipeInput = VariablesOf<typeof ValidateMutation>['input']

type SourceInput = RecipeInput['left']

/**
 * One side of a recipe as the form holds it: its alias, the upload a file source is bound to, its columns
 * and primary key. `saved` is the side as loaded from a saved recipe, so what the form does not edit
 * (a persistent source's URI, reading options, a composite key) is saved back unchanged.
 */
export interface SideDraft { alias: string, uploadId: string, columns: string[], primaryKey: string, saved?: SourceInput }

export interface Draft { recipeId: string, name: string, matchSql: string, matchDescription: string, left: SideDraft, right: SideDraft }

export const emptySide = (alias: string): SideDraft => ({ alias, uploadId: '', columns: [], primaryKey: '' })

export const isFile = (side: SideDraft): boolean => side.saved === undefined || side.saved.type === 'FILE'

/** The form as the API's RecipeInput: file sources list the uploaded file's columns as their schema. */
export function toInput (draft: Draft): RecipeInput {
  const side = (s: SideDraft): SourceInput => {
    const savedKey = s.saved?.primaryKey ?? []
    const primaryKey = s.primaryKey === '' ? [] : savedKey.length > 1 && savedKey[0] === s.primaryKey ? savedKey : [s.primaryKey]
    if (!isFile(s)) return { ...(s.saved as SourceInput), alias: s.alias, primaryKey }
    return { ...(s.saved ?? {}), alias: s.alias, type: 'FILE', schema: s.columns, primaryKey }
  }
  return { recipeId: draft.recipeId, name: draft.name, matchSql: draft.matchSql, matchDescription: draft.matchDescription, left: side(draft.left), right: side(draft.right) }
}

/** The uploads bound to the file sources, for preview and run. */
export function fileBindings (draft: Draft): Array<{ alias: string, uploadId: string }> {
  return [draft.left, draft.right].filter((s) => isFile(s) && s.uploadId !== '').map((s) => ({ alias: s.alias, uploadId: s.uploadId }))
}

/** The SQL line a problem points at, from the engine's "(line N, column M)". */
export function problemLine (message: string): number | undefined {
  const match = /line (\d+), column \d+/.exec(message)
  return match === null ? undefined : Number(match[1])
}

interface SavedSource { alias: string, type: SourceInput['type'], uri: string | null, schema: string[] | null, primaryKey: string[], options: unknown }

/** A saved recipe (the `recipe` query's answer) as the form's draft; its file sources are not bound to uploads yet. */
export function fromRecipe (recipe: { recipeId: string, name: string, matchSql: string, matchDescription: string, left: SavedSource, right: SavedSource }): Draft {
  const side = (s: SavedSource): SideDraft => {
    const saved = { alias: s.alias, type: s.type, primaryKey: s.primaryKey, ...(s.uri === null ? {} : { uri: s.uri }), ...(s.schema === null ? {} : { schema: s.schema }), ...(s.options === null ? {} : { options: s.options as SourceInput['options'] }) }
    return { alias: s.alias, uploadId: '', columns: s.schema ?? [], primaryKey: s.primaryKey[0] ?? '', saved }
  }
  return { recipeId: recipe.recipeId, name: recipe.name, matchSql: recipe.matchSql, matchDescription: recipe.matchDescription, left: side(recipe.left), right: side(recipe.right) }
}
