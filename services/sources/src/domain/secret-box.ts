import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { ConfigError, parseKey } from '@kalla/service'

const ALGORITHM = 'aes-256-gcm'
const VERSION = 'v2'
const IV_BYTES = 12

/** Encrypts short secrets (source URIs) for storage; `context` binds a value to the row it belongs to. */
export interface SecretBox {
  seal: (plain: string, context: string) => string
  open: (sealed: string, context: string) => string
  /** True when `sealed` is already under the current key (a re-encryption would not change it). */
  isCurrent: (sealed: string) => boolean
  /** The current key's id, as sealed values name it (not secret: a hash prefix of the key). */
  keyId: string
}

/**
 * The 32-byte key from its configured form: 64 hex characters, or base64 of 32 bytes.
 * A missing, short or malformed key is a configuration error, reported without the key itself.
 */
export function parseEncryptionKey (text: string | undefined): Buffer {
  return parseKey('KALLA_ENCRYPTION_KEY', text)
}

/** A key's id: 8 bytes of a hash of it, enough to tell keys apart and useless for finding the key. */
export function keyIdOf (key: Buffer): string {
  return createHash('sha256').update('kalla.sources.key-id\n').update(key).digest().subarray(0, 8).toString('base64url')
}

/**
 * AES-256-GCM with a random IV per value: `v2.<key id>.<iv>.<tag>.<ciphertext>` in base64url, sealed
 * with `key`; opened with whichever of `key` and `previous` the key id names (a `v1.<iv>.<tag>.<ciphertext>`
 * value from before key ids is tried with each). The tag makes a tampered or misplaced value fail to open
 * instead of decrypting to garbage.
 */
export function createSecretBox (key: Buffer, previous: readonly Buffer[] = []): SecretBox {
  if (key.length !== 32 || previous.some((k) => k.length !== 32)) throw new ConfigError(['KALLA_ENCRYPTION_KEY: must be 32 bytes'])
  const keyId = keyIdOf(key)
  const keys = new Map([key, ...previous].reverse().map((k) => [keyIdOf(k), k]))
  return {
    keyId,
    seal: (plain, context) => {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv(ALGORITHM, key, iv)
      cipher.setAAD(Buffer.from(context))
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return [VERSION, keyId, ...[iv, cipher.getAuthTag(), body].map((part) => part.toString('base64url'))].join('.')
    },
    open: (sealed, context) => {
      const parts = sealed.split('.')
      if (parts[0] === 'v1' && parts.length === 4) return openWithAny([...keys.values()], parts.slice(1), context)
      if (parts[0] !== VERSION || parts.length !== 5) throw new Error('The stored secret has an unknown format')
      const named = keys.get(parts[1] ?? '')
      if (named === undefined) throw new Error(`The stored secret was sealed with a key that is not configured (key id ${parts[1] ?? ''})`)
      return decrypt(named, parts.slice(2), context)
    },
    isCurrent: (sealed) => sealed.startsWith(`${VERSION}.${keyId}.`)
  }
}

function openWithAny (keys: Buffer[], parts: string[], context: string): string {
  for (const key of keys) {
    try {
      return decrypt(key, parts, context)
    } catch {
      // The next key may be the one.
    }
  }
  throw new Error('The stored secret opens with none of the configured keys')
}

function decrypt (key: Buffer, [iv, tag, body]: string[], context: string): string {
  if (iv === undefined || tag === undefined || body === undefined) throw new Error('The stored secret has an unknown format')
  const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64url'))
  decipher.setAAD(Buffer.from(context))
  decipher.setAuthTag(Buffer.from(tag, 'base64url'))
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
}
