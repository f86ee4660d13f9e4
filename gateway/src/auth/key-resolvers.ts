import type { Kysely } from 'kysely'
import { createKey, listKeys, revokeKey, type ApiKeyInfo, type AuthDb, type Identity, type KeyVerifier } from '@kalla/auth'
import type { Role } from '@kalla/proto'
import { auditCall } from '../audit/audited-mutations.ts'
import type { AuditRecorder } from '../audit/recorder.ts'
import { GatewayErrors } from '../errors.ts'

export interface KeyDeps {
  db: Kysely<any>
  /** The schema of the keys (GATEWAY_DB_SCHEMA) on `db`. */
  schema: string
  verifier: KeyVerifier
  audit: AuditRecorder
  /** Ends the open websockets of a key revoked here. */
  endSessions: (keyId: string) => void
}

/** The mutations below record their own audit entries, in the transaction that changes the key. */
export const KEY_MUTATIONS: ReadonlySet<string> = new Set(['createApiKey', 'revokeApiKey'])

/** me, apiKeys, createApiKey and revokeApiKey: the gateway owns the keys it checks. Admin only (proto's table), but for me. */
export function keyResolvers (deps: KeyDeps) {
  const keys = (db: Kysely<any>) => db.withSchema(deps.schema) as AuthDb
  return {
    Query: {
      apiKeys: async () => (await listKeys(keys(deps.db))).map(toGqlKey),
      // Identity is set by the access check before any resolver runs.
      me: (_: unknown, __: unknown, context: Parameters<typeof auditCall>[2]) => {
        const identity: Identity | null | undefined = context.identity ?? context.reply?.request?.identity
        return { name: identity?.name ?? '', role: identity?.role ?? 'viewer', kind: identity?.kind === 'jwt' ? 'OIDC_TOKEN' : 'API_KEY' }
      }
    },
    Mutation: {
      createApiKey: async (_: unknown, args: { name: string, role: Role }, context: Parameters<typeof auditCall>[2]) =>
        await deps.audit.runAtomic(auditCall('createApiKey', args, context), async (trx) => {
          const trimmed = args.name.trim()
          if (trimmed.length === 0 || trimmed.length > 100) throw GatewayErrors.GATEWAY_KEY_NAME_INVALID('A key needs a name of 1 to 100 characters, saying who or what uses it.')
          return await createKey(keys(trx), trimmed, args.role)
        }),
      revokeApiKey: async (_: unknown, args: { id: string }, context: Parameters<typeof auditCall>[2]) => {
        const revoked = await deps.audit.runAtomic(auditCall('revokeApiKey', args, context), async (trx) => await revokeKey(keys(trx), args.id))
        deps.verifier.forget(args.id)
        deps.endSessions(args.id)
        return revoked
      }
    }
  }
}

function toGqlKey (key: ApiKeyInfo) {
  return { id: key.id, name: key.name, role: key.role, createdAt: key.created_at, revokedAt: key.revoked_at, lastUsedAt: key.last_used_at }
}
