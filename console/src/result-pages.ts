import { graphql, type ResultOf } from './graphql.ts'
import { usePageCache } from './use-page-cache.ts'

const PageQuery = graphql('query ResultPage($runId: ID!, $kind: ResultKind!, $limit: Int!, $offset: Int!, $sort: ResultSort, $filters: [ResultFilter!]) { runResults(runId: $runId, kind: $kind, limit: $limit, offset: $offset, sort: $sort, filters: $filters) { columns { name type } rows totalCount offset } }')

export type Kind = 'MATCHED' | 'UNMATCHED_LEFT' | 'UNMATCHED_RIGHT'
export type Columns = ResultOf<typeof PageQuery>['runResults']['columns']
export const PAGE_ROWS = 500

/** A condition on one column, as the API takes it: equals, contains, or a range from min to max. */
export interface Filter { column: string, equals?: string, contains?: string, min?: string, max?: string }
/** How the grid asks for rows: sorted by one column (or in file order) and narrowed by every filter. */
export interface GridQuery { sort?: { column: string, direction: 'ASC' | 'DESC' }, filters: Filter[] }

const ResultPages = {
  document: PageQuery,
  pageSize: PAGE_ROWS,
  page: ({ runResults }: ResultOf<typeof PageQuery>) => ({ rows: runResults.rows as Array<Record<string, unknown>>, meta: { columns: runResults.columns, totalCount: runResults.totalCount } })
}
const NO_COLUMNS: Columns = []

/**
 * A result file read page by page as the grid needs rows (`usePageCache`). The API sorts and filters, so
 * a new query starts again from page 0. `meta` (the columns and the row count) is the first page's, until
 * the query changes; `columns` stay those last read while a new query loads, so the headers and filter bar stay.
 */
export function useResultPages (runId: string, kind: Kind, query: GridQuery) {
  const { sort, filters } = query
  const { meta, lastMeta, error, row } = usePageCache(ResultPages, { runId, kind, sort: sort ?? null, filters: filters.length === 0 ? null : filters }, { meta: 'first' })
  return { meta, columns: lastMeta?.columns ?? NO_COLUMNS, error, row }
}
