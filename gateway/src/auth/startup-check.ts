import type { GatewayConfig } from '../config.ts'
import { jwtConfigured } from './jwt-settings.ts'

/**
 * Why the scaled gateway must not start, or undefined: it needs at least one way in, an admin key
 * (KALLA_ADMIN_KEY or KALLA_ADMIN_KEY_FILE) or an OIDC provider (all of KALLA_JWT_JWKS_URL, _ISSUER, _AUDIENCE).
 */
export function missingAuthentication (config: GatewayConfig): string | undefined {
  const adminKey = config.KALLA_ADMIN_KEY !== undefined || config.KALLA_ADMIN_KEY_FILE !== undefined
  const jwt = [config.KALLA_JWT_JWKS_URL, config.KALLA_JWT_ISSUER, config.KALLA_JWT_AUDIENCE]
  if (jwtConfigured(config) && jwt.some((v) => v === undefined)) return 'KALLA_JWT_JWKS_URL, KALLA_JWT_ISSUER and KALLA_JWT_AUDIENCE go together: set all three to accept tokens, or none'
  if (adminKey || jwtConfigured(config)) return undefined
  return 'a way to authenticate is required: KALLA_ADMIN_KEY or KALLA_ADMIN_KEY_FILE (an admin key of at least 32 characters: openssl rand -base64 32), or an OIDC provider (KALLA_JWT_JWKS_URL, KALLA_JWT_ISSUER and KALLA_JWT_AUDIENCE)'
}
