import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { ConfigError } from '@kalla/service'

const ALGORITHM = 'aes-256-gcm'
const VERSION = 'v1'
const IV_BYTES = 12

/** Encrypts short secrets (source URIs) for storage; `context` binds a value to the row it belongs to. */
export interface SecretBox {
  seal: (plain: string, context: string) => string
  open: (sealed: string, context: string) => string
}

/**
 * The 32-byte key from its configured form: 64 hex characters, or base64 of 32 bytes.
 * A missing, short or malformed key is a configuration error, reported without the key itself.
 */
export function parseEncryptionKey (text: string | undefined): Buffer {
  const value = (text ?? '').trim()
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64')
  if (key.length !== 32 || (!/^[0-9a-fA-F]{64}$/.test(value) && !/^[A-Za-z0-9+/_-]+={0,2}$/.test(value))) {
    throw new ConfigError([`KALLA_ENCRYPTION_KEY: must be 32 bytes written as 64 hex characters or as base64 (got ${key.length} bytes); generate one with: openssl rand -hex 32`])
  }
  return key
}

/**
 * AES-256-GCM with a random IV per value: `v1.<iv>.<tag>.<ciphertext>` in base64url. The tag makes
 * a tampered or misplaced value fail to open instead of decrypting to garbage.
 */
export function createSecretBox (key: Buffer): SecretBox {
  if (key.length !== 32) throw new ConfigError(['KALLA_ENCRYPTION_KEY: must be 32 bytes'])
  return {
    seal: (plain, context) => {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv(ALGORITHM, key, iv)
      cipher.setAAD(Buffer.from(context))
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return [VERSION, iv, cipher.getAuthTag(), body].map((part) => typeof part === 'string' ? part : part.toString('base64url')).join('.')
    },
    open: (sealed, context) => {
      const [version, iv, tag, body] = sealed.split('.')
      if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) throw new Error('The stored secret has an unknown format')
      const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64url'))
      decipher.setAAD(Buffer.from(context))
      decipher.setAuthTag(Buffer.from(tag, 'base64url'))
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
    }
  }
}
