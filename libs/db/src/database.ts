import { mkdir } from 'node:fs/promises'
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely'
import pg from 'pg'

/** Where state lives: a Postgres URL, or (single mode) an embedded PGlite, in memory or in a directory. */
export interface DatabaseConfig {
  url?: string
  dataDir?: string
  poolSize?: number
}

/** A Kysely handle plus what a service needs around it: a readiness probe and a close. */
export interface Database {
  // Each service types its own tables through withSchema; the handle itself is shared.
  db: Kysely<any>
  kind: 'postgres' | 'pglite'
  ping: () => Promise<void>
  close: () => Promise<void>
}

/**
 * Opens Postgres when a URL is given, else an embedded PGlite (so a fresh clone runs with nothing installed).
 * @example const { db, close } = await openDatabase({ url: process.env.DATABASE_URL })
 */
export async function openDatabase (config: DatabaseConfig): Promise<Database> {
  if (config.url !== undefined && config.url !== '') {
    const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize ?? 10, application_name: 'kalla' })
    // An idle client's error (a restarted server) must not crash the process; the pool replaces it.
    pool.on('error', () => {})
    // Neither may the error of a client checked out between two queries (a transaction holding a lock when
    // the server goes away): pg emits it with no listener, which ends the process. Its next query fails
    // instead, and the pool drops the client when it is released.
    pool.on('connect', (client) => { client.on('error', () => {}) })
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) })
    return wrap(db, 'postgres')
  }
  const { PGlite } = await import('@electric-sql/pglite')
  if (config.dataDir !== undefined) await mkdir(config.dataDir, { recursive: true })
  const pglite = await PGlite.create(config.dataDir)
  const db = new Kysely<any>({ dialect: new PGliteDialect({ pglite }) })
  return wrap(db, 'pglite')
}

function wrap (db: Kysely<any>, kind: Database['kind']): Database {
  let closed = false
  return {
    db,
    kind,
    ping: async () => { await sql`SELECT 1`.execute(db) },
    close: async () => {
      if (closed) return
      closed = true
      await db.destroy()
    }
  }
}
