import type { Migration } from 'kysely/migration'
import * as createApiKeys from './2026-12-01T00-00-00-create-api-keys.ts'

export const migrations: Record<string, Migration> = {
  '2026-12-01T00-00-00-create-api-keys': createApiKeys
}
