import type { Kysely } from 'kysely'
import { appendEntry, type AuditDb, type NewAuditEntry } from '@kalla/audit'
import { migrations as auditMigrations } from '@kalla/audit/migrations'
import { createKey, listKeys, revokeKey, type AuthDb } from '@kalla/auth'
import { migrations } from '@kalla/auth/migrations'
import { migrateSchema, openDatabase } from '@kalla/db'
import { ROLES, type Role } from '@kalla/proto'
import { cliActor } from './cli-actor.ts'
import { UsageError, type Output } from './output.ts'

export interface KeysFlags { role?: string, 'database-url'?: string, schema?: string, 'audit-schema'?: string }

const SCHEMA = /^[a-z_][a-z0-9_]*$/

/**
 * `kalla keys create <name> --role R | list | revoke <id>`: the gateway's API keys, directly in its database
 * (--database-url or DATABASE_URL, schema --schema or GATEWAY_DB_SCHEMA, default auth). A created key is
 * printed once; Kalla keeps only its hash. A revoked key stops working within the gateway's cache time (30 s).
 * Creating and revoking are recorded in the audit trail (--audit-schema or GATEWAY_AUDIT_DB_SCHEMA, default
 * audit) in the same transaction as the change.
 */
export async function keysCommand (action: string, argument: string | undefined, flags: KeysFlags, out: Output): Promise<number> {
  const url = flags['database-url'] ?? out.databaseUrl
  if (url === undefined || url === '') throw new UsageError('kalla keys needs --database-url URL (or DATABASE_URL): the Postgres the gateway keeps its keys in.')
  const schema = schemaName(flags.schema ?? out.keysSchema ?? 'auth')
  const auditSchema = schemaName(flags['audit-schema'] ?? out.auditSchema ?? 'audit')
  const task = keyTask(action, argument, flags)
  const database = await openDatabase({ url, poolSize: 1 })
  try {
    await migrateSchema(database.db, schema, migrations)
    await migrateSchema(database.db, auditSchema, auditMigrations)
    return await task({ db: database.db, keys: (db) => db.withSchema(schema) as AuthDb, audit: (db) => db.withSchema(auditSchema) as AuditDb }, out)
  } finally {
    await database.close()
  }
}

export function schemaName (schema: string): string {
  if (!SCHEMA.test(schema)) throw new UsageError(`"${schema}" is not a schema name.`)
  return schema
}

interface KeyStores { db: Kysely<any>, keys: (db: Kysely<any>) => AuthDb, audit: (db: Kysely<any>) => AuditDb }
type KeyTask = (stores: KeyStores, out: Output) => Promise<number>

function keyTask (action: string, argument: string | undefined, flags: KeysFlags): KeyTask {
  if (action === 'list') return async ({ db, keys }, out) => await list(keys(db), out)
  if (argument === undefined || argument.trim() === '') throw new UsageError(`kalla keys ${action} takes ${action === 'revoke' ? 'a key id' : 'a name'}.`)
  if (action === 'revoke') return async (stores, out) => await revoke(stores, argument, out)
  if (action !== 'create') throw new UsageError(`Unknown keys command "${action}": use create, list or revoke.`)
  const role = flags.role as Role | undefined
  if (role === undefined || !ROLES.includes(role)) throw new UsageError(`kalla keys create needs --role ${ROLES.join('|')}.`)
  return async ({ db, keys, audit }, out) => {
    const name = argument.trim()
    const created = await db.transaction().execute(async (trx) => {
      const key = await createKey(keys(trx), name, role)
      await appendEntry(audit(trx), entry('createApiKey', { name, role }, { keyId: key.id }))
      return key
    })
    out.stdout.write(`Created key ${created.id} "${created.name}" (${created.role}). It is shown only now; send it as "Authorization: Bearer <key>":\n${created.key}\n`)
    return 0
  }
}

function entry (operation: string, args: Record<string, unknown>, targets: NewAuditEntry['targets']): NewAuditEntry {
  return { actor: cliActor(), channel: 'cli', operation, args, targets, outcome: 'ok', errorCode: null, requestId: null }
}

async function list (db: AuthDb, out: Output): Promise<number> {
  const keys = await listKeys(db)
  if (keys.length === 0) out.stdout.write('No keys (the admin key from KALLA_ADMIN_KEY is not stored, so not listed).\n')
  for (const key of keys) {
    const state = key.revoked_at === null ? 'active' : `revoked ${key.revoked_at}`
    out.stdout.write(`${key.id}  ${key.role.padEnd(8)}  ${state.padEnd(8)}  created ${key.created_at}  last used ${key.last_used_at ?? 'never'}  ${key.name}\n`)
  }
  return 0
}

async function revoke ({ db, keys, audit }: KeyStores, id: string, out: Output): Promise<number> {
  const revoked = await db.transaction().execute(async (trx) => {
    const done = await revokeKey(keys(trx), id)
    await appendEntry(audit(trx), done ? entry('revokeApiKey', { id }, { keyId: id }) : { ...entry('revokeApiKey', { id }, { keyId: id }), outcome: 'error', errorCode: 'CLI_KEY_NOT_FOUND' })
    return done
  })
  if (revoked) {
    out.stdout.write(`Revoked ${id}; gateways stop accepting it within their key cache time (GATEWAY_KEY_CACHE_TTL_S, 30 s by default).\n`)
    return 0
  }
  out.stderr.write(`kalla: there is no active key "${id}".\n`)
  return 1
}
