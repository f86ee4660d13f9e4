import { sqlProblems } from '@kalla/engine'
import type { Output } from './output.ts'
import { formatProblems, loadRecipe } from './recipe-file.ts'

/** `kalla validate recipe.json`: checks the recipe and parses its SQL, without reading any data. */
export async function validateCommand (recipePath: string, out: Output): Promise<number> {
  const loaded = await loadRecipe(recipePath)
  let problems = loaded.problems
  if (loaded.recipe !== undefined) {
    const { left, right } = loaded.recipe.sources
    problems = await sqlProblems(loaded.recipe.match_sql, [left.alias, right.alias])
  }
  if (problems.length === 0) {
    out.stdout.write(`${recipePath}: valid\n`)
    return 0
  }
  out.stderr.write(`${recipePath} has ${problems.length} problem${problems.length > 1 ? 's' : ''}:\n${formatProblems(problems)}\n`)
  return 2
}
