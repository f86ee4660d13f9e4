import { SourcesErrors } from '../errors.ts'
import { findColumn, type Column, type PreviewFilter } from './sql.ts'

/** Filters may only name the source's columns (in any case); their values are always bound as parameters. */
export function checkFilters (alias: string, columns: readonly Column[], filters: readonly PreviewFilter[]): PreviewFilter[] {
  return filters.map((filter) => {
    const column = findColumn(columns, filter.column)
    if (column === undefined) {
      throw SourcesErrors.SOURCES_FILTER_INVALID(`${alias} has no column "${filter.column}" to filter on; its columns are: ${columns.map((c) => c.name).join(', ')}.`)
    }
    return { ...filter, column }
  })
}
