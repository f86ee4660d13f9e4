import { sqlProblems } from '@kalla/engine'
import { checker, Recipe, recipeProblems, type Problem, type RecipeValidation } from '@kalla/proto'
import { bindMatchSql } from './bind-sql.ts'
import type { RecipesDeps } from './deps.ts'
import { outputProblems } from './output-keys.ts'
import { sourceColumns } from './source-columns.ts'

/** True when the value has the recipe's shape (its rules may still be broken). */
export const recipeShape = checker(Recipe)

// After these the SQL is not one SELECT over the two sources, so binding it would say nothing more.
const UNBINDABLE = new Set(['ENGINE_SQL_SYNTAX', 'ENGINE_SQL_NOT_SELECT', 'ENGINE_SQL_UNKNOWN_TABLE'])

/**
 * Every problem with a recipe at once, each with a code and a path: its shape and rules, its SQL, the
 * columns its SQL uses against each source's real columns, and whether the matched output exposes both
 * primary keys. Reads no data except one record of a Postgres source given by a literal URI.
 */
export async function validateRecipe (deps: RecipesDeps, value: unknown): Promise<RecipeValidation> {
  const problems = recipeProblems(value)
  if (!recipeShape.check(value)) return { valid: false, problems }
  const recipe = value
  const { left, right } = recipe.sources
  const [sql, leftColumns, rightColumns] = await Promise.all([
    recipe.match_sql.trim() === '' ? [] : sqlProblems(recipe.match_sql, [left.alias, right.alias]),
    sourceColumns(deps, left, 'left'),
    sourceColumns(deps, right, 'right')
  ])
  problems.push(...sql, ...leftColumns.problems, ...rightColumns.problems)
  const distinct = left.alias.toLowerCase() !== right.alias.toLowerCase()
  const bindable = recipe.match_sql.trim() !== '' && distinct && !sql.some((p) => UNBINDABLE.has(p.code))
  if (bindable && nonEmpty(leftColumns.columns) && nonEmpty(rightColumns.columns)) {
    const bound = await bindMatchSql(recipe.match_sql, [{ alias: left.alias, columns: leftColumns.columns }, { alias: right.alias, columns: rightColumns.columns }])
    // A forbidden function may be unknown to the binder too; it is reported once, as forbidden.
    if (bound.problem !== undefined && !sql.some((p) => p.code === 'ENGINE_SQL_FORBIDDEN')) problems.push(bound.problem)
    if (bound.output !== undefined) problems.push(...outputProblems(bound.output, recipe))
  }
  return { valid: problems.length === 0, problems: problems.map(withPath) }
}

function nonEmpty<T> (items: T[] | undefined): items is T[] {
  return items !== undefined && items.length > 0
}

function withPath (problem: Problem): Problem {
  return problem.path === undefined ? { ...problem, path: '' } : problem
}
