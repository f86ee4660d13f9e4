import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Migration } from 'kysely/migration'
import { migrateSchema, openDatabase, type Database } from '@kalla/db'

declare module 'fastify' {
  interface FastifyInstance {
    database: Database
  }
}

export interface DatabasePluginOptions {
  /** A database shared with other services in this process (single mode); else one is opened from `url`. */
  database?: Database
  url?: string
  schema: string
  migrations: Record<string, Migration>
  migrate: boolean
}

/** Decorates `app.database`, migrates the service's schema when asked, and closes what it opened. */
export const databasePlugin = fp(async (app: FastifyInstance, options: DatabasePluginOptions) => {
  const database = options.database ?? await openDatabase({ url: options.url })
  if (options.migrate) {
    const applied = await migrateSchema(database.db, options.schema, options.migrations)
    if (applied.length > 0) app.log.info({ schema: options.schema, applied }, 'migrated')
  }
  app.decorate('database', database)
  if (options.database === undefined) app.addHook('onClose', async () => { await database.close() })
}, { name: 'kalla-database' })
