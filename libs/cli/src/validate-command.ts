import { resolve } from 'node:path'
import { bindMatchSql, recipeSqlProblems, describeSource, isEngineError, type BindColumn, type SourceSpec } from '@kalla/engine'
import type { Problem, Recipe, RecipeSource, Side, SourceBinding } from '@kalla/proto'
import { parseBindings } from './match-command.ts'
import type { Output } from './output.ts'
import { formatProblems, loadRecipe } from './recipe-file.ts'

/**
 * `kalla validate recipe.json [--source alias=path-or-uri ...]`: checks the recipe and binds its SQL
 * against each source's columns without reading any rows. A file source's columns are its `schema`,
 * or the real file's when it is given with --source; a database source is described only when given.
 */
export async function validateCommand (recipePath: string, flags: { source?: string[] }, out: Output): Promise<number> {
  const cwd = out.cwd ?? process.cwd()
  const loaded = await loadRecipe(resolve(cwd, recipePath), recipePath)
  let problems = loaded.recipe === undefined ? [...loaded.problems, ...await recipeSqlProblems(loaded.value)] : loaded.problems
  if (loaded.recipe !== undefined) {
    const { left, right } = loaded.recipe.sources
    problems = await recipeProblems(loaded.recipe, parseBindings(flags.source ?? [], [left.alias, right.alias], cwd))
  }
  if (problems.length === 0) {
    out.stdout.write(`${recipePath}: valid\n`)
    return 0
  }
  out.stderr.write(`${recipePath} has ${problems.length} problem${problems.length > 1 ? 's' : ''}:\n${formatProblems(problems)}\n`)
  return 2
}

async function recipeProblems (recipe: Recipe, bindings: Record<string, SourceBinding>): Promise<Problem[]> {
  const { left, right } = recipe.sources
  const [l, r] = await Promise.all([sideColumns(left, 'left', bindings[left.alias]), sideColumns(right, 'right', bindings[right.alias])])
  const bound = await bindMatchSql(recipe.match_sql, { alias: left.alias, keys: left.primary_key, columns: l.columns }, { alias: right.alias, keys: right.primary_key, columns: r.columns })
  return [...l.problems, ...r.problems, ...bound.problems]
}

/** A side's columns: described from the data given for it, else the file schema's names (types unknown). */
async function sideColumns (source: RecipeSource, side: Side, binding: SourceBinding | undefined): Promise<{ columns: BindColumn[], problems: Problem[] }> {
  if (binding === undefined) return { columns: (source.schema ?? []).map((name) => ({ name })), problems: [] }
  const spec: SourceSpec = { type: binding.type ?? source.type, uri: binding.uri, alias: source.alias, ...(source.options === undefined ? {} : { options: source.options }) }
  try {
    const { columns } = await describeSource(spec)
    return { columns, problems: missingColumns(source, side, columns) }
  } catch (error) {
    if (!isEngineError(error)) throw error
    return { columns: [], problems: [{ code: error.code, message: error.message, path: `/sources/${side}/uri` }] }
  }
}

// The run refuses data without the schema's columns or the primary key; say so before it is started.
function missingColumns (source: RecipeSource, side: Side, columns: readonly BindColumn[]): Problem[] {
  const names = new Set(columns.map((c) => c.name.toLowerCase()))
  const missing = (wanted: readonly string[]): string[] => wanted.filter((c) => !names.has(c.toLowerCase()))
  const problems: Problem[] = []
  const schema = missing(source.schema ?? [])
  if (schema.length > 0) problems.push({ code: 'ENGINE_MISSING_COLUMNS', message: `${source.alias} lacks the column(s) ${schema.join(', ')} the recipe's schema lists. Its columns are: ${columns.map((c) => c.name).join(', ')}.`, path: `/sources/${side}/schema` })
  const keys = missing(source.primary_key).filter((k) => !schema.includes(k))
  if (keys.length > 0) problems.push({ code: 'ENGINE_MISSING_COLUMNS', message: `${source.alias} has no primary key column ${keys.join(', ')}. Its columns are: ${columns.map((c) => c.name).join(', ')}.`, path: `/sources/${side}/primary_key` })
  return problems
}
