import type { TadaDocumentNode } from 'gql.tada'
import { useCallback, useEffect, useRef, useState } from 'react'
import { useSession } from './session.tsx'

/** The window of a paged query that the cache sets on every request. */
export interface Paging { limit: number, offset: number }

/** One page as the cache keeps it: its rows, and what the API said about the whole query (row count, columns). */
export interface Page<Row, Meta> { rows: Row[], meta: Meta }

/**
 * A paged GraphQL query: its document, the rows a page holds, and how a page is taken out of an answer
 * (undefined when the answer has none, e.g. a run that is gone). Define it once at module level.
 */
export interface PagedQuery<R, V extends Paging, Row, Meta> {
  document: TadaDocumentNode<R, V>
  pageSize: number
  page: (data: R) => Page<Row, Meta> | undefined
}

export interface PageCacheOptions {
  /**
   * Which answer `meta` is. 'first': the first page that answers for the current query and version, then
   * the same object until they change (the results grid keys its totals on it). 'latest': every page that
   * answers replaces it.
   */
  meta: 'first' | 'latest'
  /** Bump it after a change to the records: every cached page is forgotten and read again when shown. */
  version?: number
  /**
   * Keep the last `meta` through a `version` bump until the new first page answers, instead of having none
   * meanwhile (the exception queue keeps its row count, so the list keeps its length and scroll position).
   */
  keepMetaOnRefresh?: boolean
}

/**
 * A cache of the pages of one paged query, for a virtualised list: `row(index)` returns the row when its
 * page is cached and otherwise fetches that page, once, and redraws when it arrives. The cache starts
 * again from page 0 when the variables change (compared as JSON) or `version` is bumped; pages of an
 * older query or version that arrive late are dropped, and a page that fails is fetched again when shown.
 * `meta` is the current query's meta (see the options); `lastMeta` is the meta of the last page that
 * answered for any query or version, so a grid keeps its columns while a new sort loads.
 */
export function usePageCache<R, V extends Paging, Row, Meta> (query: PagedQuery<R, V, Row, Meta>, variables: Omit<V, keyof Paging>, options: PageCacheOptions) {
  const { api } = useSession()
  const { meta: which, version = 0, keepMetaOnRefresh = false } = options
  const pages = useRef(new Map<number, Row[] | 'loading'>())
  const [meta, setMeta] = useState<{ value: Meta, of: Map<number, Row[] | 'loading'> } | undefined>()
  const [lastMeta, setLastMeta] = useState<Meta | undefined>()
  const [error, setError] = useState<string | undefined>()
  const [, setDrawn] = useState(0)
  const key = JSON.stringify(variables)
  const fetchPage = useCallback((index: number) => {
    const current = pages.current
    if (current.has(index)) return
    current.set(index, 'loading')
    const { document, pageSize, page } = query
    api.request(document, { ...JSON.parse(key), limit: pageSize, offset: index * pageSize } as V).then((data) => {
      const answer = page(data)
      if (pages.current !== current || answer === undefined) return
      current.set(index, answer.rows)
      setMeta((m) => which === 'first' && m?.of === current ? m : { value: answer.meta, of: current })
      setLastMeta(answer.meta)
      setDrawn((n) => n + 1)
    }, (e: Error) => { if (pages.current === current) { current.delete(index); setError(e.message) } })
  }, [api, query, key, which])
  useEffect(() => { setMeta(undefined) }, [fetchPage])
  useEffect(() => {
    pages.current = new Map()
    setError(undefined)
    if (!keepMetaOnRefresh) setMeta(undefined)
    fetchPage(0)
  }, [fetchPage, version, keepMetaOnRefresh])
  const row = (index: number): Row | undefined => {
    const number = Math.floor(index / query.pageSize)
    const page = pages.current.get(number)
    if (page === undefined) fetchPage(number)
    return page === 'loading' || page === undefined ? undefined : page[index % query.pageSize]
  }
  return { meta: meta?.value, lastMeta, error, row }
}
