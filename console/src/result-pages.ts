import { useCallback, useEffect, useRef, useState } from 'react'
import { graphql, type ResultOf } from './graphql.ts'
import { useSession } from './session.tsx'

const PageQuery = graphql('query ResultPage($runId: ID!, $kind: ResultKind!, $limit: Int!, $offset: Int!) { runResults(runId: $runId, kind: $kind, limit: $limit, offset: $offset) { columns { name type } rows totalCount offset } }')

export type Kind = 'MATCHED' | 'UNMATCHED_LEFT' | 'UNMATCHED_RIGHT'
export type Columns = ResultOf<typeof PageQuery>['runResults']['columns']
export const PAGE_ROWS = 500

/**
 * A result file read page by page as the grid needs rows: the first page gives the columns and the total,
 * then a page is fetched once when a row of it comes into view.
 */
export function useResultPages (runId: string, kind: Kind) {
  const { api } = useSession()
  const pages = useRef(new Map<number, Array<Record<string, unknown>> | 'loading'>())
  const [meta, setMeta] = useState<{ columns: Columns, totalCount: number } | undefined>()
  const [error, setError] = useState<string | undefined>()
  const [, setVersion] = useState(0)
  const fetchPage = useCallback((page: number) => {
    if (pages.current.has(page)) return
    pages.current.set(page, 'loading')
    api.request(PageQuery, { runId, kind, limit: PAGE_ROWS, offset: page * PAGE_ROWS }).then(({ runResults }) => {
      pages.current.set(page, runResults.rows as Array<Record<string, unknown>>)
      setMeta((m) => m ?? { columns: runResults.columns, totalCount: runResults.totalCount })
      setVersion((v) => v + 1)
    }, (e: Error) => { pages.current.delete(page); setError(e.message) })
  }, [api, runId, kind])
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
  return { meta, error, row }
}
