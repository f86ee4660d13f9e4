import { useEffect, useState } from 'react'

/** Hash routes (#/runs/r1): the gateway serves one page at /, so any view can be reloaded or linked. */
export function useRoute (): string[] {
  const [hash, setHash] = useState(location.hash)
  useEffect(() => {
    const changed = (): void => { setHash(location.hash) }
    addEventListener('hashchange', changed)
    return () => { removeEventListener('hashchange', changed) }
  }, [])
  return hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent)
}

export function go (...parts: string[]): void {
  location.hash = '/' + parts.map(encodeURIComponent).join('/')
}

export function href (...parts: string[]): string {
  return '#/' + parts.map(encodeURIComponent).join('/')
}
