import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose'

export interface TestIdentityProvider {
  /** Where the JWKS is served (a real HTTP server on a loopback port). */
  jwksUrl: string
  issuer: string
  audience: string
  /** How often the JWKS was fetched. */
  fetches: () => number
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

/** An OIDC provider stand-in for tests: RS256 keys, a JWKS over HTTP, tokens signed on demand. */
export async function startIdentityProvider (options: { audience?: string } = {}): Promise<TestIdentityProvider> {
  const keys: SigningKey[] = [await signingKey()]
  let fetches = 0
  const server = createServer((request, response) => {
    if (request.url !== '/jwks.json') { response.writeHead(404).end(); return }
    fetches++
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: keys.map((k) => k.jwk) }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const issuer = `${base}/realms/kalla`
  const audience = options.audience ?? 'kalla-api'
  return {
    jwksUrl: `${base}/jwks.json`,
    issuer,
    audience,
    fetches: () => fetches,
    sign: async (claims = {}, { expiresInS = 300, kid } = {}) => {
      const key = (kid === undefined ? keys.at(-1) : keys.find((k) => k.kid === kid)) as SigningKey
      const now = Math.floor(Date.now() / 1000)
      const payload: JWTPayload = { iss: issuer, aud: audience, sub: 'user-1', iat: now, ...(expiresInS === null ? {} : { exp: now + expiresInS }), ...claims }
      return await new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' }).sign(key.privateKey)
    },
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
