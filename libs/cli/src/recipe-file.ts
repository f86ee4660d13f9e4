import { readFile } from 'node:fs/promises'
import { recipeProblems, type Problem, type Recipe } from '@kalla/proto'

/** Reads and checks a recipe file; returns the recipe or every problem with it. */
export async function loadRecipe (path: string, shown = path): Promise<{ recipe: Recipe, problems: [] } | { recipe?: undefined, value?: unknown, problems: Problem[] }> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    return { problems: [{ code: 'CLI_RECIPE_NOT_FOUND', message: `Cannot read the recipe file ${shown}${shown === path ? '' : ` (looked for ${path})`}.` }] }
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return { problems: [{ code: 'CLI_RECIPE_NOT_JSON', message: `${shown} is not valid JSON: ${(error as Error).message}.` }] }
  }
  const problems = recipeProblems(value)
  return problems.length === 0 ? { recipe: value as Recipe, problems: [] } : { value, problems }
}

export function formatProblems (problems: Problem[]): string {
  return problems.map((p) => `  ${p.code}${p.path !== undefined ? ` at ${p.path}` : ''}: ${p.message}`).join('\n')
}
