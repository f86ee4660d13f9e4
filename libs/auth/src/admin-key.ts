import { readFile } from 'node:fs/promises'

export const MIN_ADMIN_KEY_LENGTH = 32

/**
 * The configured admin key: KALLA_ADMIN_KEY itself, or the trimmed content of KALLA_ADMIN_KEY_FILE (a mounted
 * secret). Undefined when neither is set. A key shorter than 32 characters is refused: it could be guessed.
 */
export async function readAdminKey (config: { KALLA_ADMIN_KEY?: string, KALLA_ADMIN_KEY_FILE?: string }): Promise<string | undefined> {
  const key = config.KALLA_ADMIN_KEY ?? (config.KALLA_ADMIN_KEY_FILE === undefined ? undefined : (await readFile(config.KALLA_ADMIN_KEY_FILE, 'utf8')).trim())
  if (key !== undefined && key.length < MIN_ADMIN_KEY_LENGTH) throw new Error(`The admin key must have at least ${MIN_ADMIN_KEY_LENGTH} characters (generate one with: openssl rand -base64 32)`)
  return key
}
