import { EngineError } from '../errors.ts'
import { ident } from '../sql/quote.ts'
import { findColumn, type Column } from '../stage/columns.ts'
import type { PreviewFilter } from './source-spec.ts'

/** Filters may only name the source's columns (in any case); returns them with the actual names. */
export function checkFilters (alias: string, columns: readonly Column[], filters: readonly PreviewFilter[]): PreviewFilter[] {
  return filters.map((filter) => {
    const column = findColumn(columns, filter.column)
    if (column === undefined) {
      throw new EngineError('ENGINE_FILTER_INVALID', `${alias} has no column "${filter.column}" to filter on; its columns are: ${columns.map((c) => c.name).join(', ')}.`)
    }
    return { ...filter, column }
  })
}

/** A WHERE clause over the filters, with $1.. placeholders, for DuckDB or Postgres. */
export function filterClause (filters: readonly PreviewFilter[], dialect: 'duckdb' | 'postgres'): { where: string, values: (string | number | boolean)[] } {
  const values: (string | number | boolean)[] = []
  const conditions = filters.map((filter) => {
    const column = ident(filter.column)
    values.push(dialect === 'postgres' || filter.op === 'contains' ? String(filter.value) : filter.value)
    const at = `$${values.length}`
    if (filter.op !== 'contains') return `${column} ${filter.op} ${at}`
    return dialect === 'postgres'
      ? `strpos(lower(${column}::text), lower(${at}::text)) > 0`
      : `contains(lower(CAST(${column} AS VARCHAR)), lower(${at}))`
  })
  return { where: conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`, values }
}
