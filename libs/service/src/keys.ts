import { ConfigError } from './config.ts'

const HEX_KEY = /^[0-9a-fA-F]{64}$/
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/

/**
 * A 32-byte key from its configured form: 64 hex characters, or base64 of 32 bytes. A missing, short
 * or malformed key is a configuration error naming `variable`, reported without the key itself.
 * @example parseKey('KALLA_RESOLVE_KEY', process.env.KALLA_RESOLVE_KEY)
 */
export function parseKey (variable: string, text: string | undefined): Buffer {
  const value = (text ?? '').trim()
  const key = HEX_KEY.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64')
  if (key.length !== 32 || (!HEX_KEY.test(value) && !BASE64.test(value))) {
    throw new ConfigError([`${variable}: must be 32 bytes written as 64 hex characters or as base64 (got ${key.length} bytes); generate one with: openssl rand -hex 32`])
  }
  return key
}

/** Several keys from a comma-separated list (empty or unset: none), each checked as `parseKey` does. */
export function parseKeyList (variable: string, text: string | undefined): Buffer[] {
  const parts = (text ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '')
  const problems: string[] = []
  const keys = parts.flatMap((part, i) => {
    try {
      return [parseKey(`${variable} (key ${i + 1})`, part)]
    } catch (error) {
      problems.push(...(error as ConfigError).problems)
      return []
    }
  })
  if (problems.length > 0) throw new ConfigError(problems)
  return keys
}
