import type { DuckDBConnection } from '@duckdb/node-api'
import { EngineError } from './errors.ts'
import { ident } from './sql/quote.ts'
import { findColumn, type Column } from './stage/columns.ts'

/**
 * A set of records named by their key values as text, in `columns` order, the way JSON rows show them:
 * a result query keeps only these rows, or with `exclude` every row but these.
 */
export interface ResultKeySet { columns: readonly string[], keys: readonly (readonly string[])[], exclude?: boolean }

/** The most keys one result query may name: the set is held in memory by the query. */
export const MAX_RESULT_KEYS = 250_000

const TABLE = 'kalla_result_keys'
/** The alias the result query gives the rows it reads, so a key column never resolves to the key table's. */
export const RESULT_ROWS = 'kalla_result_rows'

/**
 * Loads the key set into a temporary table of the sandbox's connection (appended, never spliced into SQL)
 * and returns the condition that keeps the rows it names. Keys are compared as text: the column cast to
 * VARCHAR, which is how a JSON row shows text, integers, decimals and dates.
 */
export async function keySetCondition (connection: DuckDBConnection, columns: readonly Column[], set: ResultKeySet): Promise<string> {
  if (set.columns.length === 0 || set.keys.some((k) => k.length !== set.columns.length)) {
    throw new EngineError('ENGINE_RESULT_FILTER_INVALID', `Every key of a key filter has one value for each of its ${set.columns.length} key columns.`)
  }
  if (set.keys.length > MAX_RESULT_KEYS) {
    throw new EngineError('ENGINE_RESULT_FILTER_INVALID', `A key filter names at most ${MAX_RESULT_KEYS.toLocaleString('en')} records; this one names ${set.keys.length.toLocaleString('en')}. Narrow the selection.`)
  }
  const names = set.columns.map((wanted) => {
    const found = findColumn(columns, wanted)
    if (found === undefined) throw new EngineError('ENGINE_RESULT_COLUMN_UNKNOWN', `These results have no key column "${wanted}"; their columns are: ${columns.map((c) => c.name).join(', ')}.`)
    return found
  })
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${TABLE} (${names.map((_, i) => `k${i} VARCHAR`).join(', ')})`)
  const appender = await connection.createAppender(TABLE)
  for (const key of set.keys) {
    for (const value of key) appender.appendVarchar(value)
    appender.endRow()
  }
  appender.closeSync()
  const same = names.map((name, i) => `${TABLE}.k${i} = CAST(${RESULT_ROWS}.${ident(name)} AS VARCHAR)`).join(' AND ')
  return `${set.exclude === true ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${TABLE} WHERE ${same})`
}
