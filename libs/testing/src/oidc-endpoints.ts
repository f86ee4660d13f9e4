import { createHash, randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { JWTPayload } from 'jose'

/** A public client of the provider: its id and the redirect URIs it registered (compared exactly). */
export interface OidcClient { clientId: string, redirectUris: string[] }

/** What one call of the token endpoint ended with: `ok`, or the OAuth error it answered. */
export interface TokenAttempt { ok: boolean, error?: string }

interface PendingCode { clientId: string, redirectUri: string, challenge: string, claims: JWTPayload, expiresAt: number }

export interface OidcState {
  issuer: string
  jwksUrl: string
  clients: Map<string, OidcClient>
  /** Sign-in names and the claims their tokens carry (sub defaults to the name). */
  users: Map<string, JWTPayload>
  tokenAttempts: TokenAttempt[]
  tokenLifetimeS: () => number
  sign: (claims: JWTPayload, options: { expiresInS: number }) => Promise<string>
}

const CODE_LIFETIME_MS = 60_000
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/

/**
 * The Authorization Code flow with PKCE (RFC 6749, RFC 7636) as a public client sees it: a discovery
 * document, an /authorize page with a sign-in form that redirects back with a one-time code, and a
 * /token endpoint that answers a signed access token only for the right code, client, redirect URI and
 * code verifier. Answers true when it handled the request.
 */
export function oidcEndpoints (state: OidcState) {
  const paths = { discovery: '/.well-known/openid-configuration', authorize: '/authorize', token: '/token' }
  const codes = new Map<string, PendingCode>()
  const base = new URL(state.issuer).pathname
  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    const url = new URL(request.url ?? '/', state.issuer)
    const path = url.pathname.startsWith(base) ? url.pathname.slice(base.length) : ''
    if (request.method === 'GET' && path === paths.discovery) json(response, 200, discovery(state, paths))
    else if (request.method === 'GET' && path === paths.authorize) authorizePage(state, response, url.searchParams)
    else if (request.method === 'POST' && path === paths.authorize) signInForm(state, codes, response, await formBody(request))
    else if (request.method === 'OPTIONS' && path === paths.token) cors(request, response).writeHead(204).end()
    else if (request.method === 'POST' && path === paths.token) await token(state, codes, cors(request, response), await formBody(request))
    else return false
    return true
  }
}

function discovery (state: OidcState, paths: { authorize: string, token: string }) {
  return {
    issuer: state.issuer,
    authorization_endpoint: state.issuer + paths.authorize,
    token_endpoint: state.issuer + paths.token,
    jwks_uri: state.jwksUrl,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256']
  }
}

/** An unknown client or redirect URI is shown as an error page: redirecting there would help an attacker. */
function authorizePage (state: OidcState, response: ServerResponse, params: URLSearchParams, error?: string): void {
  const client = state.clients.get(params.get('client_id') ?? '')
  const redirectUri = params.get('redirect_uri') ?? ''
  if (client === undefined || !client.redirectUris.includes(redirectUri)) {
    html(response, 400, '<h1>Sign-in refused</h1><p>Unknown client or redirect URI.</p>')
    return
  }
  if (params.get('response_type') !== 'code' || params.get('code_challenge_method') !== 'S256' || (params.get('code_challenge') ?? '') === '') {
    redirect(response, redirectUri, { error: 'invalid_request', error_description: 'response_type=code and an S256 code_challenge are required', state: params.get('state') ?? '' })
    return
  }
  const hidden = ['client_id', 'redirect_uri', 'state', 'code_challenge', 'scope'].map((name) => `<input type="hidden" name="${name}" value="${escape(params.get(name) ?? '')}">`).join('')
  html(response, error === undefined ? 200 : 401, `<h1>Test provider</h1><form method="post">${hidden}<label for="username">Username</label> <input id="username" name="username" autofocus>
    ${error === undefined ? '' : `<p role="alert">${escape(error)}</p>`}<button type="submit" name="action" value="sign-in">Sign in</button> <button type="submit" name="action" value="cancel">Cancel</button></form>`)
}

function signInForm (state: OidcState, codes: Map<string, PendingCode>, response: ServerResponse, form: URLSearchParams): void {
  const client = state.clients.get(form.get('client_id') ?? '')
  const redirectUri = form.get('redirect_uri') ?? ''
  if (client === undefined || !client.redirectUris.includes(redirectUri)) { authorizePage(state, response, form); return }
  const back = { state: form.get('state') ?? '' }
  if (form.get('action') === 'cancel') { redirect(response, redirectUri, { error: 'access_denied', ...back }); return }
  const username = form.get('username') ?? ''
  const claims = state.users.get(username)
  if (claims === undefined) {
    form.set('response_type', 'code')
    form.set('code_challenge_method', 'S256')
    authorizePage(state, response, form, `No user named "${username}".`)
    return
  }
  const code = randomBytes(24).toString('base64url')
  codes.set(code, { clientId: client.clientId, redirectUri, challenge: form.get('code_challenge') ?? '', claims: { sub: username, ...claims }, expiresAt: Date.now() + CODE_LIFETIME_MS })
  redirect(response, redirectUri, { code, ...back })
}

/** A code is spent on its first use, right or wrong, as RFC 6749 asks. */
async function token (state: OidcState, codes: Map<string, PendingCode>, response: ServerResponse, form: URLSearchParams): Promise<void> {
  const code = form.get('code') ?? ''
  const pending = codes.get(code)
  codes.delete(code)
  const verifier = form.get('code_verifier') ?? ''
  const refusal = form.get('grant_type') !== 'authorization_code'
    ? 'unsupported_grant_type'
    : pending === undefined || pending.expiresAt < Date.now() || pending.clientId !== form.get('client_id') || pending.redirectUri !== form.get('redirect_uri')
      ? 'invalid_grant'
      : !VERIFIER.test(verifier) || createHash('sha256').update(verifier).digest('base64url') !== pending.challenge ? 'invalid_grant' : undefined
  if (refusal !== undefined || pending === undefined) {
    state.tokenAttempts.push({ ok: false, error: refusal })
    json(response, 400, { error: refusal, error_description: 'The code, client, redirect URI or code verifier does not match the sign-in' })
    return
  }
  const expiresIn = state.tokenLifetimeS()
  const accessToken = await state.sign(pending.claims, { expiresInS: expiresIn })
  state.tokenAttempts.push({ ok: true })
  json(response, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn, scope: 'openid' })
}

/** Browsers call the token endpoint from the application's origin, so it answers CORS for any origin. */
function cors (request: IncomingMessage, response: ServerResponse): ServerResponse {
  response.setHeader('access-control-allow-origin', request.headers.origin ?? '*')
  response.setHeader('access-control-allow-methods', 'POST')
  response.setHeader('access-control-allow-headers', 'content-type')
  return response
}

async function formBody (request: IncomingMessage): Promise<URLSearchParams> {
  let body = ''
  for await (const chunk of request) {
    body += String(chunk)
    if (body.length > 64 * 1024) break
  }
  return new URLSearchParams(body)
}

function redirect (response: ServerResponse, uri: string, params: Record<string, string>): void {
  const target = new URL(uri)
  for (const [name, value] of Object.entries(params)) if (value !== '') target.searchParams.set(name, value)
  response.writeHead(302, { location: target.toString(), 'cache-control': 'no-store' }).end()
}

function json (response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body))
}

function html (response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="en"><title>Test provider</title><body>${body}</body></html>`)
}

function escape (text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
