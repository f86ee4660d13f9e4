import { createKey, listKeys, revokeKey, type AuthDb } from '@kalla/auth'
import { migrations } from '@kalla/auth/migrations'
import { migrateSchema, openDatabase } from '@kalla/db'
import { ROLES, type Role } from '@kalla/proto'
import { UsageError, type Output } from './output.ts'

export interface KeysFlags { role?: string, 'database-url'?: string, schema?: string }

/**
 * `kalla keys create <name> --role R | list | revoke <id>`: the gateway's API keys, directly in its database
 * (--database-url or DATABASE_URL, schema --schema or GATEWAY_DB_SCHEMA, default auth). A created key is
 * printed once; Kalla keeps only its hash. A revoked key stops working within the gateway's cache time (30 s).
 */
export async function keysCommand (action: string, argument: string | undefined, flags: KeysFlags, out: Output): Promise<number> {
  const url = flags['database-url'] ?? out.databaseUrl
  if (url === undefined || url === '') throw new UsageError('kalla keys needs --database-url URL (or DATABASE_URL): the Postgres the gateway keeps its keys in.')
  const schema = flags.schema ?? out.keysSchema ?? 'auth'
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new UsageError(`"${schema}" is not a schema name.`)
  const task = keyTask(action, argument, flags)
  const database = await openDatabase({ url, poolSize: 1 })
  try {
    await migrateSchema(database.db, schema, migrations)
    return await task(database.db.withSchema(schema) as AuthDb, out)
  } finally {
    await database.close()
  }
}

type KeyTask = (db: AuthDb, out: Output) => Promise<number>

function keyTask (action: string, argument: string | undefined, flags: KeysFlags): KeyTask {
  if (action === 'list') return list
  if (argument === undefined || argument.trim() === '') throw new UsageError(`kalla keys ${action} takes ${action === 'revoke' ? 'a key id' : 'a name'}.`)
  if (action === 'revoke') return async (db, out) => await revoke(db, argument, out)
  if (action !== 'create') throw new UsageError(`Unknown keys command "${action}": use create, list or revoke.`)
  const role = flags.role as Role | undefined
  if (role === undefined || !ROLES.includes(role)) throw new UsageError(`kalla keys create needs --role ${ROLES.join('|')}.`)
  return async (db, out) => {
    const created = await createKey(db, argument.trim(), role)
    out.stdout.write(`Created key ${created.id} "${created.name}" (${created.role}). It is shown only now; send it as "Authorization: Bearer <key>":\n${created.key}\n`)
    return 0
  }
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

async function revoke (db: AuthDb, id: string, out: Output): Promise<number> {
  if (await revokeKey(db, id)) {
    out.stdout.write(`Revoked ${id}; gateways stop accepting it within their key cache time (GATEWAY_KEY_CACHE_TTL_S, 30 s by default).\n`)
    return 0
  }
  out.stderr.write(`kalla: there is no active key "${id}".\n`)
  return 1
}
