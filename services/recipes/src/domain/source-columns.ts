import { BusError, isNotFound, isUnavailable } from '@kalla/bus'
import { describeSource, isEngineError, type BindColumn } from '@kalla/engine'
import { SourceColumns, type Problem, type RecipeSource, type Side, SOURCE_REFERENCE } from '@kalla/proto'
import { ProblemCodes, RecipesErrors } from '../errors.ts'
import type { RecipesDeps } from './deps.ts'

/** A column the match SQL may use; a file schema names its columns without types. */
export type KnownColumn = BindColumn

/** A source's columns when they could be found, and what stood in the way otherwise. */
export interface FoundColumns { columns?: KnownColumn[], problems: Problem[] }

/**
 * The real columns of one side: a file source's schema, a registered source's columns from the sources
 * service, or a literal Postgres URI's columns read with the engine. Unknown (no problem) for source
 * types this version cannot read.
 */
export async function sourceColumns (deps: RecipesDeps, source: RecipeSource, side: Side): Promise<FoundColumns> {
  if (source.type === 'file') return { columns: (source.schema ?? []).map((name) => ({ name })), problems: [] }
  const uri = source.uri ?? ''
  const reference = SOURCE_REFERENCE.exec(uri)?.[1]
  let found: FoundColumns = { problems: [] }
  if (reference !== undefined) found = await registeredColumns(deps, source, side, reference)
  else if (source.type === 'postgres' && uri.trim() !== '') found = await describedColumns(deps, source, side, uri)
  if (found.columns === undefined) return found
  return { columns: found.columns, problems: [...found.problems, ...keyProblems(source, side, found.columns)] }
}

async function registeredColumns (deps: RecipesDeps, source: RecipeSource, side: Side, reference: string): Promise<FoundColumns> {
  const path = `/sources/${side}/uri`
  try {
    const { columns } = await deps.bus.request(SourceColumns, { alias: reference }, { timeoutMs: deps.engine.probeTimeoutMs })
    return { columns, problems: [] }
  } catch (error) {
    if (!(error instanceof BusError)) throw error
    if (isNotFound(error)) {
      return { problems: [{ code: ProblemCodes.SOURCE_NOT_FOUND, message: `The ${side} source "${source.alias}" refers to the registered source "${reference}", which does not exist: register it first or correct the uri.`, path }] }
    }
    if (isUnavailable(error) || error.code === 'INTERNAL') {
      throw RecipesErrors.RECIPES_SOURCES_UNAVAILABLE(`The columns of the registered source "${reference}" cannot be checked right now because the sources service did not answer. Try again in a moment.`, error)
    }
    return { problems: [{ code: ProblemCodes.SOURCE_UNREACHABLE, message: `The columns of the registered source "${reference}" (${side} source "${source.alias}") cannot be read: ${error.message}`, path }] }
  }
}

/** A Postgres source given by a literal URI, described by the engine (columns only, no rows read). */
async function describedColumns (deps: RecipesDeps, source: RecipeSource, side: Side, uri: string): Promise<FoundColumns> {
  const limit = deps.engine.probeTimeoutMs
  try {
    const { columns } = await describeSource({ type: 'postgres', uri, alias: source.alias }, { workDir: deps.engine.workDir, connectTimeoutMs: limit, queryTimeoutMs: limit })
    return { columns, problems: [] }
  } catch (error) {
    if (!isEngineError(error)) throw error
    return { problems: [{ code: ProblemCodes.SOURCE_UNREACHABLE, message: `The ${side} source cannot be read, so its columns cannot be checked: ${error.message}`, path: `/sources/${side}/uri` }] }
  }
}

function keyProblems (source: RecipeSource, side: Side, columns: KnownColumn[]): Problem[] {
  const names = new Set(columns.map((c) => c.name.toLowerCase()))
  const missing = source.primary_key.filter((k) => !names.has(k.toLowerCase()))
  if (missing.length === 0) return []
  return [{
    code: ProblemCodes.PRIMARY_KEY_NOT_FOUND,
    message: `The ${side} primary key column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not a column of ${source.alias}. Its columns are: ${columns.map((c) => c.name).join(', ')}.`,
    path: `/sources/${side}/primary_key`
  }]
}
