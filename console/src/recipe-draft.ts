import type { VariablesOf } from './graphql.ts'
import type { ValidateMutation } from './pages/recipe-editor.tsx'

export type RecipeInput = VariablesOf<typeof ValidateMutation>['input']

/** One side of a recipe as the form holds it: a file source bound to an upload, or a registered source. */
export interface SideDraft { alias: string, kind: 'file' | 'registered', uploadId: string, columns: string[], sourceAlias: string, primaryKey: string }

export interface Draft { recipeId: string, name: string, matchSql: string, matchDescription: string, left: SideDraft, right: SideDraft }

export const emptySide = (alias: string): SideDraft => ({ alias, kind: 'file', uploadId: '', columns: [], sourceAlias: '', primaryKey: '' })

/** The form as the API's RecipeInput: file sources list the uploaded file's columns as their schema. */
export function toInput (draft: Draft): RecipeInput {
  const side = (s: SideDraft) => s.kind === 'file'
    ? { alias: s.alias, type: 'FILE' as const, schema: s.columns, primaryKey: s.primaryKey === '' ? [] : [s.primaryKey] }
    : { alias: s.alias, type: 'POSTGRES' as const, uri: `source:${s.sourceAlias}`, primaryKey: s.primaryKey === '' ? [] : [s.primaryKey] }
  return { recipeId: draft.recipeId, name: draft.name, matchSql: draft.matchSql, matchDescription: draft.matchDescription, left: side(draft.left), right: side(draft.right) }
}

/** The uploads bound to the file sources, for preview and run. */
export function fileBindings (draft: Draft): Array<{ alias: string, uploadId: string }> {
  return [draft.left, draft.right].filter((s) => s.kind === 'file' && s.uploadId !== '').map((s) => ({ alias: s.alias, uploadId: s.uploadId }))
}

/** The SQL line a problem points at, from the engine's "(line N, column M)". */
export function problemLine (message: string): number | undefined {
  const match = /line (\d+), column \d+/.exec(message)
  return match === null ? undefined : Number(match[1])
}
