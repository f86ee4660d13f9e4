import { createKey, listKeys, revokeKey, type ApiKeyInfo, type AuthDb, type KeyVerifier } from '@kalla/auth'
import type { Role } from '@kalla/proto'
import { GatewayErrors } from '../errors.ts'

export interface KeyDeps {
  db: AuthDb
  verifier: KeyVerifier
  /** Ends the open websockets of a key revoked here. */
  endSessions: (keyId: string) => void
}

/** apiKeys, createApiKey and revokeApiKey: the gateway owns the keys it checks. Admin only (proto's table). */
export function keyResolvers (deps: KeyDeps) {
  return {
    Query: {
      apiKeys: async () => (await listKeys(deps.db)).map(toGqlKey)
    },
    Mutation: {
      createApiKey: async (_: unknown, { name, role }: { name: string, role: Role }) => {
        const trimmed = name.trim()
        if (trimmed.length === 0 || trimmed.length > 100) throw GatewayErrors.GATEWAY_KEY_NAME_INVALID('A key needs a name of 1 to 100 characters, saying who or what uses it.')
        return await createKey(deps.db, trimmed, role)
      },
      revokeApiKey: async (_: unknown, { id }: { id: string }) => {
        const revoked = await revokeKey(deps.db, id)
        deps.verifier.forget(id)
        deps.endSessions(id)
        return revoked
      }
    }
  }
}

function toGqlKey (key: ApiKeyInfo) {
  return { id: key.id, name: key.name, role: key.role, createdAt: key.created_at, revokedAt: key.revoked_at, lastUsedAt: key.last_used_at }
}
