import { sql, type Kysely, type Selectable } from 'kysely'
import type { Role } from '@kalla/proto'
import { generateApiKey } from './api-key.ts'
import type { ApiKeysTable, AuthDatabase } from './tables.ts'

export type AuthDb = Kysely<AuthDatabase>

/** A stored key as it may be shown: everything but the hash of its secret. */
export interface ApiKeyInfo { id: string, name: string, role: Role, created_at: string, revoked_at: string | null, last_used_at: string | null }

/** A key just created: `key` is the only copy of the secret and is shown once. */
export interface CreatedApiKey { id: string, name: string, role: Role, key: string }

/** What verification needs of a stored key. */
export interface StoredSecret { id: string, name: string, role: Role, secret_hash: Buffer, revoked: boolean }

export async function createKey (db: AuthDb, name: string, role: Role): Promise<CreatedApiKey> {
  const { id, key, hash } = generateApiKey()
  await db.insertInto('api_keys').values({ id, name, role, secret_hash: hash }).execute()
  return { id, name, role, key }
}

/** Every key, oldest first, revoked ones included. */
export async function listKeys (db: AuthDb): Promise<ApiKeyInfo[]> {
  const rows = await db.selectFrom('api_keys').select(['id', 'name', 'role', 'created_at', 'revoked_at', 'last_used_at']).orderBy('created_at').orderBy('id').execute()
  return rows.map(toInfo)
}

export async function findSecret (db: AuthDb, id: string): Promise<StoredSecret | undefined> {
  const row = await db.selectFrom('api_keys').select(['id', 'name', 'role', 'secret_hash', 'revoked_at']).where('id', '=', id).executeTakeFirst()
  return row === undefined ? undefined : { id: row.id, name: row.name, role: row.role, secret_hash: row.secret_hash, revoked: row.revoked_at !== null }
}

/** True when an active key was revoked now; false when there is no such key or it was revoked before. */
export async function revokeKey (db: AuthDb, id: string): Promise<boolean> {
  const result = await db.updateTable('api_keys').set({ revoked_at: sql<Date>`now()` }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

export async function touchKey (db: AuthDb, id: string, at: Date): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute()
}

function toInfo (row: Pick<Selectable<ApiKeysTable>, 'id' | 'name' | 'role' | 'created_at' | 'revoked_at' | 'last_used_at'>): ApiKeyInfo {
  return { id: row.id, name: row.name, role: row.role, created_at: row.created_at.toISOString(), revoked_at: row.revoked_at?.toISOString() ?? null, last_used_at: row.last_used_at?.toISOString() ?? null }
}
