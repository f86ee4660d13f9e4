import { ApiError } from './api.ts'

/** GET /auth/config: how this gateway lets a browser sign in (see gateway/src/auth/oidc-sign-in.ts). */
export interface SignInOptions {
  oidc: { name: string, clientId: string, scope: string, authorizationEndpoint: string, tokenEndpoint: string } | null
  oidcProblem?: { code: string, message: string }
}

/** A credential the console holds: an API key (no expiry) or an access token with the time it expires. */
export interface Credential { token: string, expiresAt?: number }

// The verifier and state must survive the trip to the provider and back, in this tab only: sessionStorage.
const PENDING = 'kalla.oidc.pending'
interface Pending { state: string, verifier: string, clientId: string, tokenEndpoint: string, redirectUri: string }

export async function signInOptions (): Promise<SignInOptions> {
  const response = await fetch('/auth/config')
  if (!response.ok) return { oidc: null }
  return await response.json() as SignInOptions
}

/**
 * Starts the Authorization Code flow with PKCE (RFC 7636): a fresh verifier and state are kept in this
 * tab, and the browser goes to the provider with the verifier's SHA-256 and the state.
 */
export async function startOidcSignIn (oidc: NonNullable<SignInOptions['oidc']>): Promise<void> {
  const verifier = randomText(32)
  const state = randomText(16)
  const redirectUri = `${location.origin}/`
  const pending: Pending = { state, verifier, clientId: oidc.clientId, tokenEndpoint: oidc.tokenEndpoint, redirectUri }
  sessionStorage.setItem(PENDING, JSON.stringify(pending))
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))))
  const url = new URL(oidc.authorizationEndpoint)
  const params = { response_type: 'code', client_id: oidc.clientId, redirect_uri: redirectUri, scope: oidc.scope, state, code_challenge: challenge, code_challenge_method: 'S256' }
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
  location.assign(url.toString())
}

/** True when this page load is the provider sending the user back (a code or an error, and a state). */
export function isOidcReturn (): boolean {
  const params = new URLSearchParams(location.search)
  return params.has('state') && (params.has('code') || params.has('error'))
}

/**
 * Finishes a sign-in the provider sent back: the state must be the one this tab sent (else a page of
 * another site could sign the user in as someone else), then the code and this tab's verifier are
 * exchanged for an access token. The code leaves the address bar whatever happens.
 */
export async function completeOidcSignIn (): Promise<Credential> {
  const params = new URLSearchParams(location.search)
  history.replaceState(null, '', `${location.pathname}${location.hash}`)
  const pending = readPending()
  sessionStorage.removeItem(PENDING)
  if (pending === undefined || pending.state !== params.get('state')) {
    throw new ApiError('CONSOLE_SIGN_IN_STATE_MISMATCH', 'This sign-in was not started from this tab, or it was already used. Sign in again.')
  }
  const error = params.get('error')
  if (error !== null) {
    throw new ApiError('CONSOLE_SIGN_IN_REFUSED', error === 'access_denied' ? 'The sign-in was cancelled at the provider. Sign in again when you are ready.' : `The provider did not sign you in (${error}). Sign in again, or ask an administrator to check Kalla's client at the provider.`)
  }
  const body = new URLSearchParams({ grant_type: 'authorization_code', code: params.get('code') ?? '', redirect_uri: pending.redirectUri, client_id: pending.clientId, code_verifier: pending.verifier })
  const response = await fetch(pending.tokenEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).catch(() => undefined)
  const answer = await response?.json().catch(() => undefined) as { access_token?: string, expires_in?: number, error?: string } | undefined
  if (response?.ok !== true || typeof answer?.access_token !== 'string') {
    throw new ApiError('CONSOLE_SIGN_IN_TOKEN_REFUSED', `The provider refused to complete the sign-in${answer?.error === undefined ? '' : ` (${answer.error})`}. Sign in again.`)
  }
  const expiresIn = typeof answer.expires_in === 'number' ? answer.expires_in : undefined
  return { token: answer.access_token, expiresAt: expiresIn === undefined ? tokenExpiry(answer.access_token) : Date.now() + expiresIn * 1000 }
}

/** A JWT's `exp` in milliseconds, read without checking the signature (the gateway checks it); undefined for API keys. */
export function tokenExpiry (token: string): number | undefined {
  const payload = token.split('.')[1]
  if (token.split('.').length !== 3 || payload === undefined) return undefined
  try {
    const { exp } = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown }
    return typeof exp === 'number' ? exp * 1000 : undefined
  } catch {
    return undefined
  }
}

function readPending (): Pending | undefined {
  try { return JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as Pending | null ?? undefined } catch { return undefined }
}

function randomText (bytes: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)))
}

function base64url (bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
