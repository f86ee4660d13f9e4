import type { DuckDBConnection } from '@duckdb/node-api'
import { EngineError, resourceError } from './errors.ts'
import { plainBinderMessage } from './sql/binder-message.ts'
import { typeProblems, type TypedSource } from './sql/type-check.ts'
import { withQueryProgress, type FractionReporter } from './progress.ts'
import type { Problem } from '@kalla/proto'
import { describe, findColumn, type Column } from './stage/index.ts'
import { ident } from './sql/quote.ts'
import { matchSqlProblems } from './sql/validate.ts'

export const MATCHED_TABLE = '__kalla_matched'

/** One side of the match as the matched output exposes it. */
export interface SideKeys {
  alias: string
  /** Key columns in the source table. */
  sourceKeys: string[]
  /** The same keys' column names in the matched output. */
  outputKeys: string[]
}

/** Rejects SQL that is not exactly one safe SELECT over the two aliases, naming every problem. */
export async function checkMatchSql (connection: DuckDBConnection, sql: string, aliases: readonly string[]): Promise<void> {
  const problems = await matchSqlProblems(connection, sql, aliases)
  const first = problems[0]
  if (first !== undefined) {
    const message = problems.map((p) => p.message).join(' ')
    throw new EngineError(first.code as 'ENGINE_SQL_SYNTAX', message, { stage: 'validating' })
  }
}

/** Refuses SQL that would compare text with numbers or dates through a silent cast, naming the columns. */
export async function checkMatchTypes (connection: DuckDBConnection, select: string, sources: readonly TypedSource[]): Promise<void> {
  const problems = await typeProblems(connection, select, sources)
  if (problems.length === 0) return
  throw new EngineError('ENGINE_SQL_TYPE_MISMATCH', problems.map((p) => p.message).join(' '), { stage: 'matching', cause: new Error(problems.map((p) => p.detail).join('\n')) })
}

function errorText (error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Output columns of the match SQL, bound but not run (fails fast on unknown columns or types). */
export async function describeMatch (connection: DuckDBConnection, sql: string): Promise<Column[]> {
  try {
    return await describe(connection, withoutTrailingSemicolon(sql))
  } catch (error) {
    throw new EngineError('ENGINE_SQL_INVALID', `The match SQL cannot run: ${plainBinderMessage(errorText(error))}`, { stage: 'matching', cause: error })
  }
}

/** A side of the match as the recipe names it: its alias and primary-key columns. */
export interface SideSpec { alias: string, keys: string[] }

/**
 * Everything the engine would refuse in the matched output's columns, as problems: repeated column
 * names, a side whose primary key is missing, and an output column both sides' keys resolve to. For a
 * key column k of source A the output column is `A_k` if present, else `k` itself unless the other
 * source's key has the same name.
 */
export function matchOutputProblems (output: readonly Column[], left: SideSpec, right: SideSpec): Problem[] {
  const problems: Problem[] = []
  const seen = new Set<string>()
  for (const column of output) {
    const key = column.name.toLowerCase()
    if (seen.has(key)) {
      problems.push({ code: 'ENGINE_MATCH_COLUMNS_REPEATED', message: `The match SQL returns more than one column named ${column.name}: give them distinct names with AS, e.g. ${left.alias}_${column.name} and ${right.alias}_${column.name}.`, path: '/match_sql' })
    }
    seen.add(key)
  }
  for (const [side, other] of [[left, right], [right, left]] as const) {
    const missing = side.keys.filter((k) => outputKey(output, side, other, k) === undefined)
    if (missing.length > 0) problems.push({ code: 'ENGINE_MATCH_KEYS_MISSING', message: missingKeysMessage(side, other, missing), path: '/match_sql' })
  }
  problems.push(...ambiguousKeys(output, left, right))
  return problems
}

// Aliases like `a` and `a_b` let one output name stand for a's key b_id and a_b's key id alike: which
// records matched would then be a guess, so the column is refused.
function ambiguousKeys (output: readonly Column[], left: SideSpec, right: SideSpec): Problem[] {
  const claims = new Map<string, { alias: string, key: string }[]>()
  for (const [side, other] of [[left, right], [right, left]] as const) {
    for (const key of side.keys) {
      const column = outputKey(output, side, other, key)
      if (column !== undefined) claims.set(column.toLowerCase(), [...(claims.get(column.toLowerCase()) ?? []), { alias: side.alias, key }])
    }
  }
  return [...claims.entries()].filter(([, who]) => who.length > 1).map(([column, who]) => ({
    code: 'ENGINE_MATCH_KEYS_AMBIGUOUS',
    message: `The matched output column ${column} could be ${who.map((w) => `${w.alias}'s key ${w.key}`).join(' or ')}, so Kalla cannot tell which records matched. Return ${who.map((w) => `${w.alias}'s key as ${w.key}`).join(' and ')} without a prefix, or give one source an alias that does not begin with the other's alias and "_".`,
    path: '/match_sql'
  }))
}

/** Each side's key columns in the matched output; throws the first problem matchOutputProblems finds. */
export function resolveOutputKeys (output: Column[], left: SideSpec, right: SideSpec): { left: SideKeys, right: SideKeys } {
  const first = matchOutputProblems(output, left, right)[0]
  if (first !== undefined) throw new EngineError(first.code as 'ENGINE_MATCH_KEYS_MISSING', first.message, { stage: 'matching' })
  const keys = (side: SideSpec, other: SideSpec): SideKeys => ({ alias: side.alias, sourceKeys: side.keys, outputKeys: side.keys.map((k) => outputKey(output, side, other, k) ?? k) })
  return { left: keys(left, right), right: keys(right, left) }
}

function outputKey (output: readonly Column[], side: SideSpec, other: SideSpec, key: string): string | undefined {
  const sharedName = other.keys.some((k) => k.toLowerCase() === key.toLowerCase())
  return findColumn(output, `${side.alias}_${key}`) ?? (sharedName ? undefined : findColumn(output, key))
}

function missingKeysMessage (side: SideSpec, other: SideSpec, missing: string[]): string {
  const otherKeys = new Set(other.keys.map((k) => k.toLowerCase()))
  const shared = missing.some((k) => otherKeys.has(k.toLowerCase()))
  const names = missing.map((k) => otherKeys.has(k.toLowerCase()) ? `${side.alias}_${k}` : `${k} (or ${side.alias}_${k})`).join(', ')
  const example = shared ? `, e.g. SELECT ${side.alias.charAt(0)}.${missing[0]} AS ${side.alias}_${missing[0]}` : ''
  return `The match SQL must return the ${side.alias} primary key ${missing.join(', ')} so Kalla can tell which ${side.alias} records matched: add ${names} to the SELECT list${example}.`
}

/**
 * A matched row names a record of each side: rows where either side's key is empty (an outer join's
 * unpaired rows) are removed from the matched table, so those records count as unmatched. Returns how
 * many rows were removed.
 */
export async function dropRowsWithoutKeys (connection: DuckDBConnection, sides: { left: SideKeys, right: SideKeys }): Promise<number> {
  const empty = [...sides.left.outputKeys, ...sides.right.outputKeys].map((k) => `${ident(k)} IS NULL`).join(' OR ')
  const reader = await connection.runAndReadAll(`DELETE FROM ${MATCHED_TABLE} WHERE ${empty}`)
  return Number(reader.getRowsJS()[0]?.[0] ?? 0)
}

/** Runs the match SQL into a table and returns its row count (the count CREATE TABLE AS reports). */
export async function executeMatch (connection: DuckDBConnection, sql: string, intervalMs: number, report: FractionReporter): Promise<number> {
  try {
    const reader = await withQueryProgress(connection, intervalMs, report, () =>
      connection.runAndReadAll(`CREATE TABLE ${MATCHED_TABLE} AS ${withoutTrailingSemicolon(sql)}\n`))
    return Number(reader.getRowsJS()[0]?.[0] ?? 0)
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error)
    if (/^INTERRUPT/.test(text)) throw error
    throw resourceError(error, 'matching') ?? new EngineError('ENGINE_SQL_FAILED', `The match SQL failed while running: ${plainBinderMessage(text)}`, { stage: 'matching', cause: error })
  }
}

/** The SQL was parsed as exactly one statement; a final ';' (and comments after it) must go before embedding. */
export function withoutTrailingSemicolon (sql: string): string {
  return sql.replace(/;(\s|--[^\n]*|\/\*[\s\S]*?\*\/)*$/, '')
}
