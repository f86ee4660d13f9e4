import type { ColumnType } from 'kysely'
import type { Role } from '@kalla/proto'

/** One row per API key: the hash of its secret, never the secret. */
export interface ApiKeysTable {
  id: string
  name: string
  role: Role
  secret_hash: Buffer
  created_at: ColumnType<Date, Date | undefined, never>
  revoked_at: ColumnType<Date | null, never, Date>
  last_used_at: ColumnType<Date | null, never, Date>
}

export interface AuthDatabase {
  api_keys: ApiKeysTable
}
