import { bindMatchSql, recipeSqlProblems } from '@kalla/engine'
import { checker, Recipe, recipeProblems, type Problem, type RecipeValidation } from '@kalla/proto'
import { ProblemCodes } from '../errors.ts'
import type { RecipesDeps } from './deps.ts'
import { credentialProblems } from './recipe-credentials.ts'
import { sourceColumns } from './source-columns.ts'

/** True when the value has the recipe's shape (its rules may still be broken). */
export const recipeShape = checker(Recipe)

// The binder's findings keep the codes this service has always reported; the SQL's own (ENGINE_SQL_*) stay.
const RECIPE_CODES: Record<string, string> = {
  ENGINE_SQL_INVALID: ProblemCodes.SQL_INVALID,
  ENGINE_SQL_UNKNOWN_COLUMN: ProblemCodes.SQL_INVALID,
  ENGINE_SQL_TYPE_MISMATCH: ProblemCodes.SQL_INVALID,
  ENGINE_MATCH_KEYS_MISSING: ProblemCodes.MATCH_KEYS_MISSING,
  ENGINE_MATCH_COLUMNS_REPEATED: ProblemCodes.MATCH_COLUMNS_REPEATED
}

/**
 * Every problem with a recipe at once, each with a code and a path: its shape and rules, its SQL bound
 * by the engine against each source's real columns (unknown columns with a "did you mean", type
 * mismatches when types are known), and whether the matched output exposes both primary keys.
 * Reads no data: a Postgres source given by a literal URI is only described. A uri with credentials is
 * a problem (RECIPES_URI_HAS_CREDENTIALS) and is never connected to.
 */
export async function validateRecipe (deps: RecipesDeps, value: unknown): Promise<RecipeValidation> {
  const problems = recipeProblems(value)
  if (!recipeShape.check(value)) return { valid: false, problems: [...problems, ...await recipeSqlProblems(value, { workDir: deps.engine.workDir })].map(withPath) }
  const { left, right } = value.sources
  const credentials = credentialProblems(value)
  const withCredentials = new Set(credentials.map((p) => p.path))
  const columnsOf = async (source: typeof left, side: 'left' | 'right'): ReturnType<typeof sourceColumns> =>
    withCredentials.has(`/sources/${side}/uri`) ? { problems: [] } : await sourceColumns(deps, source, side)
  const [leftColumns, rightColumns] = await Promise.all([columnsOf(left, 'left'), columnsOf(right, 'right')])
  problems.push(...credentials, ...leftColumns.problems, ...rightColumns.problems)
  if (value.match_sql.trim() !== '') {
    const bound = await bindMatchSql(value.match_sql,
      { alias: left.alias, keys: left.primary_key, columns: leftColumns.columns ?? [] },
      { alias: right.alias, keys: right.primary_key, columns: rightColumns.columns ?? [] },
      { workDir: deps.engine.workDir })
    problems.push(...bound.problems.map((p) => ({ ...p, code: RECIPE_CODES[p.code] ?? p.code })))
  }
  return { valid: problems.length === 0, problems: problems.map(withPath) }
}

function withPath (problem: Problem): Problem {
  return problem.path === undefined ? { ...problem, path: '' } : problem
}
