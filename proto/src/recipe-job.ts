import type { Job, JobSource, FileFormat } from './job.ts'
import type { Recipe, RecipeSource, Side, SourceType } from './recipe.ts'

/** Where one source's data is for this run: a database URI, or a file path / storage key and its format. */
export interface SourceBinding { uri: string, format?: FileFormat, type?: SourceType }

/**
 * Builds the self-contained job for one run of a recipe. Persistent sources use the recipe's uri unless a
 * binding overrides it; file sources must be bound. Returns the aliases still unbound instead of a job.
 */
export function recipeJob (
  recipe: Recipe,
  bindings: Readonly<Record<string, SourceBinding>>,
  run: { run_id: string, output_path: string }
): { job: Job, unbound: [] } | { job?: undefined, unbound: string[] } {
  const sides: Side[] = ['left', 'right']
  const unbound = sides.map((s) => recipe.sources[s]).filter((s) => bindingFor(s, bindings) === undefined).map((s) => s.alias)
  if (unbound.length > 0) return { unbound }
  const sources = sides.map((side) => jobSource(recipe.sources[side], side, bindingFor(recipe.sources[side], bindings)!))
  const primaryKeys = Object.fromEntries(sides.map((s) => [recipe.sources[s].alias, [...recipe.sources[s].primary_key]]))
  return { job: { run_id: run.run_id, match_sql: recipe.match_sql, sources, primary_keys: primaryKeys, output_path: run.output_path }, unbound: [] }
}

function bindingFor (source: RecipeSource, bindings: Readonly<Record<string, SourceBinding>>): SourceBinding | undefined {
  const bound = bindings[source.alias]
  if (bound !== undefined) return bound
  return source.type !== 'file' && source.uri !== undefined ? { uri: source.uri, type: source.type } : undefined
}

function jobSource (source: RecipeSource, side: Side, binding: SourceBinding): JobSource {
  return {
    alias: source.alias,
    side,
    type: binding.type ?? sourceTypeOf(binding.uri),
    uri: binding.uri,
    ...(binding.format === undefined ? {} : { format: binding.format }),
    ...(source.schema === undefined ? {} : { schema: [...source.schema] }),
    ...(source.options === undefined ? {} : { options: structuredClone(source.options) })
  }
}

/** The source type a URI names by its scheme; paths and file:// URLs are files. */
export function sourceTypeOf (uri: string): SourceType {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri)?.[1]?.toLowerCase()
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres'
  if (scheme === 'bigquery') return 'bigquery'
  if (scheme === 'elasticsearch' || scheme === 'http' || scheme === 'https') return 'elasticsearch'
  return 'file'
}

/** A persistent source whose uri is `source:<alias>` reads the source registered under that alias. */
export const SOURCE_REFERENCE = /^source:([A-Za-z_][A-Za-z0-9_]*)$/
