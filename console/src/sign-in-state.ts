import { useCallback, useEffect, useMemo, useState } from 'react'
import { Api } from './api.ts'
import { graphql } from './graphql.ts'
import { completeOidcSignIn, isOidcReturn, tokenExpiry, type Credential } from './oidc.ts'
import type { Role, Session } from './session.tsx'

export const MeQuery = graphql('query Me { me { name role kind } }')

// The key or token lives in sessionStorage: it survives a reload and the trip to the provider, but not the
// tab, is not shared with other tabs, and is never sent by the browser on its own (as a cookie would be, so
// no cross-site request can use it). The page's CSP allows no script but its own, which keeps it from
// other scripts; localStorage would leave it on disk after the browser closes.
const CREDENTIAL = 'kalla.credential'

export const SIGNED_OUT = {
  expired: 'Your sign-in expired. Sign in again to go on.',
  refused: 'Kalla no longer accepts this sign-in (the key was revoked or the token expired). Sign in again.'
} as const

/**
 * The signed-in session, restored from this tab or completed from the provider's redirect. It ends with a
 * message when the token's expiry passes or Kalla refuses the credential, and on sign out.
 */
export function useSignIn () {
  const [session, setSession] = useState<Session | undefined>()
  const [message, setMessage] = useState<string | undefined>()
  const [restoring, setRestoring] = useState(sessionStorage.getItem(CREDENTIAL) !== null || isOidcReturn())
  const end = useCallback((api: Api, why?: string) => {
    api.close()
    sessionStorage.removeItem(CREDENTIAL)
    setSession(undefined)
    setMessage(why)
  }, [])
  const signIn = useMemo(() => async (credential: Credential): Promise<void> => {
    // A refusal while signing in is the sign-in page's to show; only one after it ends the session.
    let live = false
    const api: Api = new Api(credential.token, () => { if (live) end(api, SIGNED_OUT.refused) })
    const { me } = await api.request(MeQuery, {})
    live = true
    const expiresAt = credential.expiresAt ?? tokenExpiry(credential.token)
    sessionStorage.setItem(CREDENTIAL, JSON.stringify({ token: credential.token, expiresAt }))
    setMessage(undefined)
    setSession({ api, name: me.name, role: me.role as Role, kind: me.kind, expiresAt, signOut: () => { live = false; end(api) } })
  }, [end])
  useEffect(() => {
    const restore = isOidcReturn() ? completeOidcSignIn() : Promise.resolve(storedCredential())
    restore.then(async (credential) => { if (credential !== undefined) await signIn(credential) })
      .catch((error: unknown) => { sessionStorage.removeItem(CREDENTIAL); setMessage((error as Error).message) })
      .finally(() => { setRestoring(false) })
  }, [signIn])
  useEffect(() => {
    if (session?.expiresAt === undefined) return
    const timer = setTimeout(() => { end(session.api, SIGNED_OUT.expired) }, Math.max(0, session.expiresAt - Date.now()))
    return () => { clearTimeout(timer) }
  }, [session, end])
  return { session, message, restoring, signIn }
}

function storedCredential (): Credential | undefined {
  try {
    const stored = JSON.parse(sessionStorage.getItem(CREDENTIAL) ?? 'null') as Credential | null
    return stored !== null && typeof stored.token === 'string' ? stored : undefined
  } catch {
    return undefined
  }
}
