import type { Role } from '@kalla/proto'

/**
 * Who is calling, however they proved it: an API key (a stored key or the configured admin key) or a JWT
 * from the OIDC provider. Never holds the key or the token itself.
 */
export interface Identity {
  kind: 'api-key' | 'jwt'
  /** The key's id (`admin-key` for the configured admin key), or the token's `sub`. */
  subject: string
  /** The key's name, or the token's `name`, `preferred_username` or `email` (else its `sub`). */
  name: string
  role: Role
  /** When a token stops being valid (its `exp`); API keys do not expire, they are revoked. */
  expiresAt?: Date
}
