import { EngineError } from './errors.ts'
import type { ResultKeySet } from './result-keys.ts'
import { ident } from './sql/quote.ts'
import { findColumn, type Column } from './stage/columns.ts'

/**
 * One condition on a result column, as text (amounts stay exact): `equals` one value, `contains` a text
 * (ignoring case), or a range from `min` to `max`, both inclusive and either one optional.
 */
export interface ResultFilter { column: string, equals?: string, contains?: string, min?: string, max?: string }

/** How a result page is chosen: sorted by one column, and/or narrowed by filters and a key set combined with AND. */
export interface ResultQuery { sort?: { column: string, descending?: boolean }, filters?: readonly ResultFilter[], keys?: ResultKeySet }

/** The WHERE and ORDER BY of a result query, with $1.. placeholders for every value. */
export interface ResultClauses { where: string, orderBy: string, values: string[] }

// Ties keep the file's order, so paging a sorted result neither repeats nor skips a row. Unsorted pages
// need no ORDER BY: the sandbox reads with one thread, in the file's order.
const ROW_NUMBER = 'file_row_number'

/**
 * The relation a sorted page reads: the file with its row numbers, and the column holding them. DuckDB's
 * file_row_number cannot be used on a file that has a column of that name; such a file is numbered by a
 * window over its one-thread scan instead, under a name none of its columns has.
 */
export function numberedRelation (fileLiteral: string, columns: readonly Column[]): { relation: string, rowNumber: string } {
  if (findColumn(columns, ROW_NUMBER) === undefined) return { relation: `read_parquet(${fileLiteral}, file_row_number = true)`, rowNumber: ROW_NUMBER }
  let rowNumber = 'kalla_row_number'
  while (findColumn(columns, rowNumber) !== undefined) rowNumber += '_'
  return { relation: `(SELECT *, row_number() OVER () AS ${ident(rowNumber)} FROM read_parquet(${fileLiteral}))`, rowNumber }
}

/**
 * Checks every column the query names against the result file's columns (any case) and builds its
 * clauses, ANDed with `extra` conditions (a key set's); an unknown column is ENGINE_RESULT_COLUMN_UNKNOWN,
 * a filter without a condition ENGINE_RESULT_FILTER_INVALID.
 * @example resultClauses(columns, { sort: { column: 'amount', descending: true }, filters: [{ column: 'customer', contains: 'acme' }] }, 'file_row_number')
 */
export function resultClauses (columns: readonly Column[], query: ResultQuery, rowNumber: string, extra: readonly string[] = []): ResultClauses {
  const values: string[] = []
  const param = (value: string): string => { values.push(value); return `$${values.length}` }
  const conditions = [...extra, ...(query.filters ?? []).flatMap((filter) => filterConditions(ident(columnOf(columns, filter.column, 'filter on')), filter, param))]
  const sort = query.sort === undefined ? [] : [`${ident(columnOf(columns, query.sort.column, 'sort by'))} ${query.sort.descending === true ? 'DESC' : 'ASC'} NULLS LAST`]
  return {
    where: conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`,
    orderBy: sort.length === 0 ? '' : ` ORDER BY ${[...sort, ident(rowNumber)].join(', ')}`,
    values
  }
}

function filterConditions (column: string, filter: ResultFilter, param: (value: string) => string): string[] {
  const conditions: string[] = []
  if (filter.equals !== undefined) conditions.push(`${column} = ${param(filter.equals)}`)
  if (filter.contains !== undefined) conditions.push(`contains(lower(CAST(${column} AS VARCHAR)), lower(${param(filter.contains)}))`)
  if (filter.min !== undefined) conditions.push(`${column} >= ${param(filter.min)}`)
  if (filter.max !== undefined) conditions.push(`${column} <= ${param(filter.max)}`)
  if (conditions.length === 0) {
    throw new EngineError('ENGINE_RESULT_FILTER_INVALID', `The filter on ${filter.column} has no condition: give a value to equal, a text to contain, or a minimum and/or maximum.`)
  }
  return conditions
}

function columnOf (columns: readonly Column[], wanted: string, purpose: string): string {
  const found = findColumn(columns, wanted)
  if (found === undefined) {
    throw new EngineError('ENGINE_RESULT_COLUMN_UNKNOWN', `These results have no column "${wanted}" to ${purpose}; their columns are: ${columns.map((c) => c.name).join(', ')}.`)
  }
  return found
}
