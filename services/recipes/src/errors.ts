import type { Problem } from '@kalla/proto'
import { CodedError, codedErrors } from '@kalla/service'

export const RecipesErrors = codedErrors({
  RECIPES_NOT_FOUND: 404,
  RECIPES_FILE_MISSING: 400,
  RECIPES_FILE_UNEXPECTED: 400,
  RECIPES_UPLOAD_NOT_FOUND: 404,
  RECIPES_SOURCE_NOT_FOUND: 404,
  RECIPES_SOURCES_UNAVAILABLE: 503,
  RECIPES_SUGGEST_INVALID: 400,
  RECIPES_URI_HAS_CREDENTIALS: 400,
  RECIPES_LLM_OFF: 501,
  RECIPES_LLM_FAILED: 502,
  RECIPES_LLM_TIMEOUT: 504
})

/** Codes of the problems validation reports next to the RECIPE_ (proto) and ENGINE_SQL_ (engine) ones. */
export const ProblemCodes = {
  SQL_INVALID: 'RECIPES_SQL_INVALID',
  MATCH_KEYS_MISSING: 'RECIPES_MATCH_KEYS_MISSING',
  MATCH_COLUMNS_REPEATED: 'RECIPES_MATCH_COLUMNS_REPEATED',
  SOURCE_NOT_FOUND: 'RECIPES_SOURCE_NOT_FOUND',
  SOURCE_UNREACHABLE: 'RECIPES_SOURCE_UNREACHABLE',
  PRIMARY_KEY_NOT_FOUND: 'RECIPES_PRIMARY_KEY_NOT_FOUND',
  URI_HAS_CREDENTIALS: 'RECIPES_URI_HAS_CREDENTIALS'
} as const

/** A recipe refused for its problems; the bus carries `problems` to the caller next to the message. */
export class RecipeInvalidError extends CodedError {
  readonly problems: Problem[]

  constructor (problems: Problem[]) {
    const listed = problems.map((p) => `${p.code}${p.path === undefined || p.path === '' ? '' : ` at ${p.path}`}: ${p.message}`)
    super('RECIPES_INVALID', `The recipe has ${problems.length} problem(s) to fix: ${listed.join(' | ')}`, { statusCode: 400 })
    this.problems = problems
  }
}
