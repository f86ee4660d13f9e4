import type { Migration } from 'kysely/migration'
import * as createSources from './2026-11-27T00-00-00-create-sources.ts'
import * as uploadOwner from './2026-12-01T00-00-00-upload-owner.ts'

export const migrations: Record<string, Migration> = {
  '2026-11-27T00-00-00-create-sources': createSources,
  '2026-12-01T00-00-00-upload-owner': uploadOwner
}
