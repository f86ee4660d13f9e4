import { hashSecret, parseApiKey, sameHash } from './api-key.ts'
import type { Identity } from './identity.ts'
import { looksLikeJwt, type JwtVerifier } from './jwt-verifier.ts'
import { findSecret, touchKey, type AuthDb, type StoredSecret } from './keys-repository.ts'

export interface KeyVerifierOptions {
  db: AuthDb
  /** Admin keys given by configuration (KALLA_ADMIN_KEY); compared by hash, never stored. */
  adminKeys?: readonly string[]
  /** Tokens of the OIDC provider, when one is configured: a bearer shaped like a JWT goes to it. */
  jwt?: JwtVerifier
  /** How long a key looked up in the database is trusted; a revocation elsewhere takes effect within it. */
  cacheTtlMs?: number
  /** last_used_at is written at most this often per key. */
  touchIntervalMs?: number
  /** Most keys remembered at once, so guesses with random ids cannot fill memory. */
  cacheSize?: number
  now?: () => number
  onError?: (error: unknown) => void
}

export interface KeyVerifier {
  /** The identity of a presented key or token, or undefined for a malformed, unknown, revoked, wrong or expired one. */
  verify: (token: string) => Promise<Identity | undefined>
  /** Drops a key from the cache, so a revocation made here takes effect at once. */
  forget: (id: string) => void
}

export const ADMIN_KEY_ID = 'admin-key'

interface Cached { stored: StoredSecret | undefined, expiresAt: number }

/**
 * Verifies bearer credentials: configured admin keys first, then a JWT (three dotted base64url parts) by the
 * OIDC verifier when one is given, else `kalla_<id>_<secret>` keys by their stored hash, each comparison in
 * constant time. Key lookups (misses too) are cached for `cacheTtlMs` (30 s).
 * @example const identity = await verifier.verify(bearerToken(request.headers.authorization) ?? '')
 */
export function createKeyVerifier (options: KeyVerifierOptions): KeyVerifier {
  const { db, cacheTtlMs = 30_000, touchIntervalMs = 60_000, cacheSize = 10_000, now = Date.now, onError = () => {} } = options
  const adminHashes = (options.adminKeys ?? []).map(hashSecret)
  const cache = new Map<string, Cached>()
  const touched = new Map<string, number>()

  const lookup = async (id: string): Promise<StoredSecret | undefined> => {
    const hit = cache.get(id)
    if (hit !== undefined && hit.expiresAt > now()) return hit.stored
    const stored = await findSecret(db, id)
    if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string)
    cache.set(id, { stored, expiresAt: now() + cacheTtlMs })
    return stored
  }

  const touch = (id: string): void => {
    const at = now()
    if (at - (touched.get(id) ?? -Infinity) < touchIntervalMs) return
    touched.set(id, at)
    touchKey(db, id, new Date(at)).catch(onError)
  }

  return {
    verify: async (token) => {
      const hash = hashSecret(token)
      if (adminHashes.some((admin) => sameHash(admin, hash))) return { kind: 'api-key', subject: ADMIN_KEY_ID, name: 'KALLA_ADMIN_KEY', role: 'admin' }
      if (looksLikeJwt(token)) return await options.jwt?.verify(token)
      const parsed = parseApiKey(token)
      if (parsed === undefined) return undefined
      const stored = await lookup(parsed.id)
      if (stored === undefined || stored.revoked || !sameHash(stored.secret_hash, hashSecret(parsed.secret))) return undefined
      touch(stored.id)
      return { kind: 'api-key', subject: stored.id, name: stored.name, role: stored.role }
    },
    forget: (id) => { cache.delete(id) }
  }
}
