import type { TadaDocumentNode } from 'gql.tada'
import { useCallback, useEffect, useState } from 'react'
import { useSession } from './session.tsx'

/** Runs a typed query when the page shows it (and again on `reload`), keeping its data, error and loading state. */
export function useQuery<R, V> (document: TadaDocumentNode<R, V>, variables: V) {
  const { api } = useSession()
  const [state, setState] = useState<{ data?: R, error?: Error, loading: boolean }>({ loading: true })
  const key = JSON.stringify(variables)
  const reload = useCallback(() => {
    setState((s) => ({ ...s, loading: true }))
    api.request(document, JSON.parse(key) as V).then((data) => { setState({ data, loading: false }) }, (error: Error) => { setState({ error, loading: false }) })
  }, [api, document, key])
  useEffect(reload, [reload])
  return { ...state, reload }
}
