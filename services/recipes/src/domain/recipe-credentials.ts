import { redactUri, uriHasCredentials, type Problem, type Recipe, type Side, type StoredRecipe } from '@kalla/proto'
import { ProblemCodes } from '../errors.ts'

const SIDES: Side[] = ['left', 'right']

/**
 * A recipe may not hold credentials: a source whose `uri` carries a password (or a credential-like
 * parameter) is a problem telling the user to register the source, which keeps its URI sealed, and to
 * name it as `source:<alias>`. Recipes are stored, listed and shown in clear, so this is refused outright.
 */
export function credentialProblems (recipe: Recipe): Problem[] {
  return SIDES.flatMap((side) => {
    const source = recipe.sources[side]
    if (source.uri === undefined || !uriHasCredentials(source.uri)) return []
    return [{
      code: ProblemCodes.URI_HAS_CREDENTIALS,
      message: `The ${side} source "${source.alias}" has credentials in its uri (${redactUri(source.uri)}). A recipe is stored and shown in clear, so it may not hold them: register the source (registerSource, where its URI is kept encrypted) and set "uri": "source:<alias>".`,
      path: `/sources/${side}/uri`
    }]
  })
}

/**
 * The stored recipe as every answer shows it: any credential in a source's uri masked (recipes saved
 * before credentials were refused may still hold one).
 */
export function shownRecipe (stored: StoredRecipe): StoredRecipe {
  const sources = stored.recipe.sources
  if (SIDES.every((side) => sources[side].uri === undefined || !uriHasCredentials(sources[side].uri))) return stored
  const masked = Object.fromEntries(SIDES.map((side) => [side, sources[side].uri === undefined ? sources[side] : { ...sources[side], uri: redactUri(sources[side].uri) }]))
  return { ...stored, recipe: { ...stored.recipe, sources: { ...sources, ...masked } } }
}
