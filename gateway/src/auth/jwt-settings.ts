import Type from 'typebox'
import { createJwtVerifier, JWT_ALGORITHMS, parseRoleMap, type JwtVerifier } from '@kalla/auth'

const ALGORITHM_LIST = `^(${JWT_ALGORITHMS.join('|')})(,(${JWT_ALGORITHMS.join('|')}))*$`

/** OIDC / JWT settings: all of KALLA_JWT_JWKS_URL, KALLA_JWT_ISSUER and KALLA_JWT_AUDIENCE, or none. */
export const JwtEnv = {
  KALLA_JWT_JWKS_URL: Type.Optional(Type.String({ pattern: '^https?://', description: 'The OIDC provider\'s JSON Web Key Set (its jwks_uri); with KALLA_JWT_ISSUER and KALLA_JWT_AUDIENCE, bearer tokens of the provider are accepted beside API keys' })),
  KALLA_JWT_ISSUER: Type.Optional(Type.String({ minLength: 1, description: 'The exact iss a token must carry, e.g. https://idp.example/realms/finance' })),
  KALLA_JWT_AUDIENCE: Type.Optional(Type.String({ minLength: 1, description: 'The aud a token must carry (several separated by commas: any one of them)' })),
  KALLA_JWT_ALGORITHMS: Type.String({ pattern: ALGORITHM_LIST, default: 'RS256,ES256', description: 'Signature algorithms accepted, separated by commas; HS* and none are never accepted' }),
  KALLA_JWT_ROLE_CLAIM: Type.String({ minLength: 1, default: 'kalla_role', description: 'The claim holding the Kalla role (a string or a list), dotted for nested claims: realm_access.roles' }),
  KALLA_JWT_ROLE_MAP: Type.Optional(Type.String({ description: 'Claim values mapped to roles, e.g. kalla-admins=admin,finance=operator; values not named here count when they are viewer, operator or admin' })),
  KALLA_JWT_CLOCK_TOLERANCE_S: Type.Integer({ minimum: 0, maximum: 300, default: 0, description: 'Seconds of clock difference allowed when checking exp and nbf' }),
  KALLA_JWT_JWKS_CACHE_S: Type.Integer({ minimum: 1, default: 600, description: 'How long fetched signing keys are used before the JWKS is fetched again' }),
  KALLA_JWT_JWKS_COOLDOWN_S: Type.Integer({ minimum: 0, default: 30, description: 'After a fetch, how long a token with an unknown kid waits before it may cause another fetch (rotated keys are picked up after this)' })
}

interface JwtConfig {
  KALLA_JWT_JWKS_URL?: string
  KALLA_JWT_ISSUER?: string
  KALLA_JWT_AUDIENCE?: string
  KALLA_JWT_ALGORITHMS: string
  KALLA_JWT_ROLE_CLAIM: string
  KALLA_JWT_ROLE_MAP?: string
  KALLA_JWT_CLOCK_TOLERANCE_S: number
  KALLA_JWT_JWKS_CACHE_S: number
  KALLA_JWT_JWKS_COOLDOWN_S: number
}

/** True when the config names an OIDC provider (all three of URL, issuer and audience; see jwtVerifierFrom). */
export function jwtConfigured (config: JwtConfig): boolean {
  return config.KALLA_JWT_JWKS_URL !== undefined || config.KALLA_JWT_ISSUER !== undefined || config.KALLA_JWT_AUDIENCE !== undefined
}

/**
 * The JWT verifier the config describes, or undefined without KALLA_JWT_*. Issuer and audience are always
 * checked, so one of the three without the others is refused rather than half-checked.
 */
export function jwtVerifierFrom (config: JwtConfig, onRefused: (reason: string) => void): JwtVerifier | undefined {
  if (!jwtConfigured(config)) return undefined
  const { KALLA_JWT_JWKS_URL: jwksUrl, KALLA_JWT_ISSUER: issuer, KALLA_JWT_AUDIENCE: audience } = config
  if (jwksUrl === undefined || issuer === undefined || audience === undefined) {
    throw new Error('KALLA_JWT_JWKS_URL, KALLA_JWT_ISSUER and KALLA_JWT_AUDIENCE go together: set all three to accept tokens, or none')
  }
  return createJwtVerifier({
    jwksUrl,
    issuer,
    audience: audience.split(',').map((a) => a.trim()).filter((a) => a !== ''),
    algorithms: config.KALLA_JWT_ALGORITHMS.split(',') as Array<typeof JWT_ALGORITHMS[number]>,
    roleClaim: config.KALLA_JWT_ROLE_CLAIM,
    roleMap: parseRoleMap(config.KALLA_JWT_ROLE_MAP),
    clockToleranceS: config.KALLA_JWT_CLOCK_TOLERANCE_S,
    jwksCacheMs: config.KALLA_JWT_JWKS_CACHE_S * 1000,
    jwksCooldownMs: config.KALLA_JWT_JWKS_COOLDOWN_S * 1000,
    onRefused
  })
}
