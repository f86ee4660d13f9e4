import type { Migration } from 'kysely/migration'
import * as createAuditLog from './2026-12-01T12-00-00-create-audit-log.ts'

export const migrations: Record<string, Migration> = {
  '2026-12-01T12-00-00-create-audit-log': createAuditLog
}
