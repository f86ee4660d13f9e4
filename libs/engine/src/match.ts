import type { DuckDBConnection } from '@duckdb/node-api'
import { EngineError, duckdbMessage } from './errors.ts'
import { withQueryProgress, type FractionReporter } from './progress.ts'
import { describe, findColumn, type Column } from './stage/index.ts'
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

/** Output columns of the match SQL, bound but not run (fails fast on unknown columns or types). */
export async function describeMatch (connection: DuckDBConnection, sql: string): Promise<Column[]> {
  try {
    return await describe(connection, withoutTrailingSemicolon(sql))
  } catch (error) {
    throw new EngineError('ENGINE_SQL_INVALID', `The match SQL cannot run: ${duckdbMessage(error)}.`, { stage: 'matching', cause: error })
  }
}

/**
 * Finds each side's primary key among the matched output columns. For a key column k of source A the
 * output column is `A_k` if present, else `k` itself unless the other source's key has the same name.
 */
export function resolveOutputKeys (output: Column[], side: { alias: string, keys: string[] }, other: { alias: string, keys: string[] }): SideKeys {
  const otherKeys = new Set(other.keys.map((k) => k.toLowerCase()))
  const outputKeys: string[] = []
  const missing: string[] = []
  for (const key of side.keys) {
    const prefixed = findColumn(output, `${side.alias}_${key}`)
    const plain = otherKeys.has(key.toLowerCase()) ? undefined : findColumn(output, key)
    const found = prefixed ?? plain
    if (found === undefined) missing.push(key)
    else outputKeys.push(found)
  }
  if (missing.length > 0) {
    const shared = missing.some((k) => otherKeys.has(k.toLowerCase()))
    const names = missing.map((k) => shared ? `${side.alias}_${k}` : `${k} (or ${side.alias}_${k})`).join(', ')
    throw new EngineError('ENGINE_MATCH_KEYS_MISSING', `The match SQL must return the ${side.alias} primary key so Kalla can tell which ${side.alias} records matched: add ${names} to the SELECT list${shared ? `, e.g. SELECT ${side.alias.charAt(0)}.${missing[0]} AS ${side.alias}_${missing[0]}` : ''}.`, { stage: 'matching' })
  }
  return { alias: side.alias, sourceKeys: side.keys, outputKeys }
}

/** Refuses output with two columns of one name: results would be ambiguous downstream. */
export function checkDistinctColumns (output: Column[]): void {
  const seen = new Map<string, string>()
  for (const column of output) {
    const key = column.name.toLowerCase()
    if (seen.has(key)) {
      throw new EngineError('ENGINE_MATCH_COLUMNS_REPEATED', `The match SQL returns more than one column named ${column.name}: give them distinct names with AS, e.g. i.${column.name} AS invoices_${column.name}, p.${column.name} AS payments_${column.name}.`, { stage: 'matching' })
    }
    seen.set(key, column.name)
  }
}

/** Runs the match SQL into a table and returns its row count. */
export async function executeMatch (connection: DuckDBConnection, sql: string, intervalMs: number, report: FractionReporter): Promise<number> {
  try {
    await withQueryProgress(connection, intervalMs, report, () =>
      connection.run(`CREATE TABLE ${MATCHED_TABLE} AS ${withoutTrailingSemicolon(sql)}\n`))
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error)
    if (/^(INTERRUPT|Out of Memory)/.test(text)) throw error
    throw new EngineError('ENGINE_SQL_FAILED', `The match SQL failed while running: ${duckdbMessage(error)}.`, { stage: 'matching', cause: error })
  }
  const reader = await connection.runAndReadAll(`SELECT count(*) FROM ${MATCHED_TABLE}`)
  return Number(reader.getRowsJS()[0]?.[0] ?? 0)
}

// The SQL was parsed as exactly one statement; a final ';' (and comments after it) must go before embedding.
function withoutTrailingSemicolon (sql: string): string {
  return sql.replace(/;(\s|--[^\n]*|\/\*[\s\S]*?\*\/)*$/, '')
}
