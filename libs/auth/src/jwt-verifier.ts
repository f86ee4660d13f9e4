import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose'
import type { Identity } from './identity.ts'
import { roleFromClaims, type RoleMap } from './role-claim.ts'

/** Signature algorithms a JWKS can carry; symmetric (HS*) and `none` are never accepted. */
export const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const

export interface JwtVerifierOptions {
  /** The provider's JSON Web Key Set, e.g. `https://idp.example/realms/kalla/protocol/openid-connect/certs`. */
  jwksUrl: string
  /** The exact `iss` tokens must carry. */
  issuer: string
  /** The `aud` tokens must carry (one of them, if several). */
  audience: string | readonly string[]
  /** Allow-list of signature algorithms. */
  algorithms: ReadonlyArray<typeof JWT_ALGORITHMS[number]>
  /** The claim that holds the role, dotted for nested claims (`realm_access.roles`). */
  roleClaim: string
  roleMap?: RoleMap
  clockToleranceS?: number
  /** How long fetched keys are used before the set is fetched again. */
  jwksCacheMs?: number
  /** After a fetch, how long a token with an unknown `kid` waits before it may cause another fetch. */
  jwksCooldownMs?: number
  /** Why a token was refused (never the token): for the operator's logs. */
  onRefused?: (reason: string) => void
}

export interface JwtVerifier {
  /** The identity a valid token proves, or undefined for any token that is not (see onRefused for why). */
  verify: (token: string) => Promise<Identity | undefined>
}

// A JWS in compact form: three base64url parts, the last (the signature) empty only for `alg: none`.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

/** True when `token` has the shape of a JWT rather than of an API key. */
export function looksLikeJwt (token: string): boolean {
  return COMPACT_JWS.test(token)
}

/**
 * Verifies OIDC access tokens against the provider's JWKS (jose: keys cached, fetched again after
 * `jwksCacheMs` or when a token names a new `kid`). Issuer, audience, algorithm, signature, `exp` (required)
 * and `nbf` are checked; the role comes from `roleClaim`, and a token without a Kalla role is refused.
 * @example const jwt = createJwtVerifier({ jwksUrl, issuer, audience: 'kalla', algorithms: ['RS256'], roleClaim: 'kalla_role' })
 */
export function createJwtVerifier (options: JwtVerifierOptions): JwtVerifier {
  const { issuer, audience, algorithms, roleClaim, roleMap = {}, clockToleranceS = 0, onRefused = () => {} } = options
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), { cacheMaxAge: options.jwksCacheMs ?? 600_000, cooldownDuration: options.jwksCooldownMs ?? 30_000 })
  return {
    verify: async (token) => {
      let payload: JWTPayload
      try {
        ({ payload } = await jwtVerify(token, jwks, { issuer, audience: [audience].flat(), algorithms: [...algorithms], clockTolerance: clockToleranceS, requiredClaims: ['exp', 'sub'] }))
      } catch (error) {
        onRefused(refusal(error))
        return undefined
      }
      const role = roleFromClaims(payload, roleClaim, roleMap)
      if (role === undefined) {
        onRefused(`the token of "${payload.sub ?? ''}" carries no Kalla role in its ${roleClaim} claim`)
        return undefined
      }
      const sub = payload.sub as string
      return { kind: 'jwt', subject: sub, name: displayName(payload) ?? sub, role, expiresAt: new Date((payload.exp as number) * 1000) }
    }
  }
}

function displayName (payload: JWTPayload): string | undefined {
  return [payload.name, payload.preferred_username, payload.email].find((v): v is string => typeof v === 'string' && v !== '')
}

// jose's codes say what failed without repeating the token: ERR_JWT_EXPIRED, ERR_JWT_CLAIM_VALIDATION_FAILED (iss, aud, ...).
function refusal (error: unknown): string {
  if (error instanceof errors.JWTClaimValidationFailed) return `${error.code}: ${error.claim} ${error.reason}`
  if (error instanceof errors.JOSEError) return `${error.code}: ${error.message}`
  return `the token could not be verified: ${error instanceof Error ? error.message : String(error)}`
}
