import { useCallback, useEffect, useRef, useState } from 'react'
import { graphql, type ResultOf } from './graphql.ts'
import { useSession } from './session.tsx'

const PageQuery = graphql('query ResultPage($runId: ID!, $kind: ResultKind!, $limit: Int!, $offset: Int!, $sort: ResultSort, $filters: [ResultFilter!]) { runResults(runId: $runId, kind: $kind, limit: $limit, offset: $offset, sort: $sort, filters: $filters) { columns { name type } rows totalCount offset } }')

export type Kind = 'MATCHED' | 'UNMATCHED_LEFT' | 'UNMATCHED_RIGHT'
export type Columns = ResultOf<typeof PageQuery>['runResults']['columns']
export const PAGE_ROWS = 500

/** A condition on one column, as the API takes it: equals, contains, or a range from min to max. */
export interface Filter { column: string, equals?: string, contains?: string, min?: string, max?: string }
/** How the grid asks for rows: sorted by one column (or in file order) and narrowed by every filter. */
export interface GridQuery { sort?: { column: string, direction: 'ASC' | 'DESC' }, filters: Filter[] }

/**
 * A result file read page by page as the grid needs rows: the first page gives the columns and the total,
 * then a page is fetched once when a row of it comes into view. The API sorts and filters, so a new
 * query starts again from page 0, and pages of an older query that arrive late are dropped.
 */
export function useResultPages (runId: string, kind: Kind, query: GridQuery) {
  const { api } = useSession()
  const pages = useRef(new Map<number, Array<Record<string, unknown>> | 'loading'>())
  const [meta, setMeta] = useState<{ columns: Columns, totalCount: number } | undefined>()
  const [columns, setColumns] = useState<Columns>([])
  const [error, setError] = useState<string | undefined>()
  const [, setVersion] = useState(0)
  const queryKey = JSON.stringify(query)
  const fetchPage = useCallback((page: number) => {
    const current = pages.current
    if (current.has(page)) return
    current.set(page, 'loading')
    const { sort, filters } = JSON.parse(queryKey) as GridQuery
    api.request(PageQuery, { runId, kind, limit: PAGE_ROWS, offset: page * PAGE_ROWS, sort: sort ?? null, filters: filters.length === 0 ? null : filters }).then(({ runResults }) => {
      if (pages.current !== current) return
      current.set(page, runResults.rows as Array<Record<string, unknown>>)
      setMeta((m) => m ?? { columns: runResults.columns, totalCount: runResults.totalCount })
      setColumns(runResults.columns)
      setVersion((v) => v + 1)
    }, (e: Error) => { if (pages.current === current) { current.delete(page); setError(e.message) } })
  }, [api, runId, kind, queryKey])
  useEffect(() => { setColumns([]) }, [runId, kind])
  useEffect(() => {
    pages.current = new Map()
    setMeta(undefined)
    setError(undefined)
    fetchPage(0)
  }, [fetchPage])
  const row = (index: number): Record<string, unknown> | undefined => {
    const page = pages.current.get(Math.floor(index / PAGE_ROWS))
    if (page === undefined) fetchPage(Math.floor(index / PAGE_ROWS))
    return page === 'loading' || page === undefined ? undefined : page[index % PAGE_ROWS]
  }
  return { meta, columns, error, row }
}
