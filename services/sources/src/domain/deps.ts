import type { FastifyBaseLogger } from 'fastify'
import type { SourceAccess } from '@kalla/service'
import type { Storage } from '@kalla/storage'
import type { SourcesDb } from '../db/sources-repository.ts'
import type { ObjectFiles } from './object-files.ts'
import type { SecretBox } from './secret-box.ts'

/** What the sources domain functions need; the app builds it once, tests build it directly. */
export interface SourcesDeps {
  db: SourcesDb
  storage: Storage
  secrets: SecretBox
  /** Checks ResolveSource requests and seals their answers (KALLA_RESOLVE_KEY). */
  access: SourceAccess
  log: FastifyBaseLogger
  files: ObjectFiles
  /** How long the engine may wait for a Postgres source when describing or previewing it. */
  pg: { connectTimeoutMs: number, queryTimeoutMs: number }
  uploads: { maxBytes: number, ttlMs: number }
  /** The saved recipes whose sources name `alias` (`source:<alias>`), asked of the recipes service. */
  recipesUsing: (alias: string) => Promise<Array<{ recipe_id: string, name: string }>>
}
