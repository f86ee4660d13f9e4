import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose'
import { oidcEndpoints, type OidcClient, type TokenAttempt } from './oidc-endpoints.ts'

export interface TestIdentityProvider {
  /** Where the JWKS is served (a real HTTP server on a loopback port). */
  jwksUrl: string
  issuer: string
  audience: string
  /** How often the JWKS was fetched. */
  fetches: () => number
  /** The discovery document (`<issuer>/.well-known/openid-configuration`) naming /authorize, /token and the JWKS. */
  discoveryUrl: string
  /** Registers a public client (no secret: PKCE proves the caller) with the redirect URIs it may use. */
  addClient: (client: OidcClient) => void
  /** A user who may sign in on the /authorize page by name; their tokens carry `claims` (sub defaults to the name). */
  addUser: (username: string, claims?: JWTPayload) => void
  /** Every call of the token endpoint, in order, and how it ended. */
  tokenAttempts: TokenAttempt[]
  /** How long the access tokens the token endpoint issues live, in seconds (300 by default). */
  setTokenLifetime: (seconds: number) => void
  /**
   * A token signed with the current key: `sub`, `iss`, `aud`, `iat` and `exp` (in `expiresInS`, 300 s by
   * default; `null` for none) filled in, `claims` override them.
   */
  sign: (claims?: JWTPayload, options?: { expiresInS?: number | null, kid?: string }) => Promise<string>
  /** A new signing key with a new `kid`, published in the JWKS beside (or instead of) the old one. */
  rotate: (options?: { dropOld?: boolean }) => Promise<string>
  stop: () => Promise<void>
}

interface SigningKey { kid: string, privateKey: CryptoKey, jwk: JWK }

/**
 * An OIDC provider stand-in for tests: RS256 keys, a JWKS over HTTP, tokens signed on demand, and the
 * Authorization Code flow with PKCE for browsers (discovery, a sign-in page at /authorize, /token).
 */
export async function startIdentityProvider (options: { audience?: string } = {}): Promise<TestIdentityProvider> {
  const keys: SigningKey[] = [await signingKey()]
  let fetches = 0
  let tokenLifetimeS = 300
  const server = createServer((request, response) => {
    if (request.url === '/jwks.json') {
      fetches++
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: keys.map((k) => k.jwk) }))
      return
    }
    oidc(request, response).then((handled) => { if (!handled) response.writeHead(404).end() }, () => { response.writeHead(500).end() })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const issuer = `${base}/realms/kalla`
  const audience = options.audience ?? 'kalla-api'
  const sign = async (claims: JWTPayload = {}, { expiresInS = 300, kid }: { expiresInS?: number | null, kid?: string } = {}): Promise<string> => {
    const key = (kid === undefined ? keys.at(-1) : keys.find((k) => k.kid === kid)) as SigningKey
    const now = Math.floor(Date.now() / 1000)
    const payload: JWTPayload = { iss: issuer, aud: audience, sub: 'user-1', iat: now, ...(expiresInS === null ? {} : { exp: now + expiresInS }), ...claims }
    return await new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' }).sign(key.privateKey)
  }
  const clients = new Map<string, OidcClient>()
  const users = new Map<string, JWTPayload>()
  const tokenAttempts: TokenAttempt[] = []
  const oidc = oidcEndpoints({ issuer, jwksUrl: `${base}/jwks.json`, clients, users, tokenAttempts, tokenLifetimeS: () => tokenLifetimeS, sign })
  return {
    jwksUrl: `${base}/jwks.json`,
    issuer,
    audience,
    fetches: () => fetches,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    addClient: (client) => { clients.set(client.clientId, client) },
    addUser: (username, claims = {}) => { users.set(username, claims) },
    tokenAttempts,
    setTokenLifetime: (seconds) => { tokenLifetimeS = seconds },
    sign,
    rotate: async ({ dropOld = false } = {}) => {
      const key = await signingKey()
      if (dropOld) keys.length = 0
      keys.push(key)
      return key.kid
    },
    stop: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => { resolve() }))
    }
  }
}

let kids = 0
async function signingKey (): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256')
  const kid = `test-key-${++kids}`
  return { kid, privateKey, jwk: { ...await exportJWK(publicKey), kid, alg: 'RS256', use: 'sig' } }
}
