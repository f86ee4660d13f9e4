import { randomBytes } from 'node:crypto'
import { mkdir, stat, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import type { SingleConfig } from './config.ts'

/**
 * Single mode on a fresh data directory has no admin key configured: one is generated once, kept in
 * `<KALLA_DATA_DIR>/admin.key` (mode 0600), and its path (never the key) is logged, so `npm start` works
 * with no setup. Returns the path, which the gateway reads as KALLA_ADMIN_KEY_FILE.
 */
export async function localAdminKey (config: SingleConfig, log: FastifyBaseLogger): Promise<string> {
  const dir = resolve(config.KALLA_DATA_DIR)
  const path = join(dir, 'admin.key')
  if (await exists(path)) {
    log.info({ path }, 'the admin key is in this file: send it as "Authorization: Bearer <key>"')
    return path
  }
  await mkdir(dir, { recursive: true })
  await writeFile(path, `kalla-admin-${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' })
  log.warn({ path }, 'generated an admin key in this file: send it as "Authorization: Bearer <key>", and create keys for others with createApiKey or kalla keys create')
  return path
}

async function exists (path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}
