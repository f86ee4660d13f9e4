import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

const PREFIX = 'kalla_'
const ID_BYTES = 8
const SECRET_BYTES = 32
// The id is hex so the first `_` after it ends it; the secret is base64url and may hold `_` itself.
const KEY_PATTERN = /^kalla_([0-9a-f]{16})_([A-Za-z0-9_-]{43,})$/

/** A new key: `kalla_<id>_<secret>`, 32 random bytes of secret. Only `hash` is stored. */
export interface NewApiKey { id: string, key: string, hash: Buffer }

/** A fresh random key with its id and the hash of its secret. */
export function generateApiKey (): NewApiKey {
  const id = randomBytes(ID_BYTES).toString('hex')
  const secret = randomBytes(SECRET_BYTES).toString('base64url')
  return { id, key: `${PREFIX}${id}_${secret}`, hash: hashSecret(secret) }
}

/** The id and secret of a well-formed key, else undefined. */
export function parseApiKey (key: string): { id: string, secret: string } | undefined {
  const match = KEY_PATTERN.exec(key)
  return match === null ? undefined : { id: match[1] as string, secret: match[2] as string }
}

/**
 * SHA-256 of a secret. Enough for keys of 32 random bytes, which no dictionary holds; a slow hash
 * would only slow every request down.
 */
export function hashSecret (secret: string): Buffer {
  return createHash('sha256').update(secret).digest()
}

/** Constant-time comparison of two hashes, so timing tells nothing about how much of a guess was right. */
export function sameHash (a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The value of `Authorization: Bearer <key>`, or undefined when the header is absent or of another scheme. */
export function bearerToken (header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1]
}
