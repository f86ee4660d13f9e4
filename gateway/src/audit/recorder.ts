import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import { appendEntry, type Actor, type AuditDb, type NewAuditEntry, type Targets } from '@kalla/audit'
import type { Identity } from '@kalla/auth'

/** Ids by kind; missing ones (an id only a success returns) are left out of the entry. */
export type TargetIds = Record<string, string | string[] | null | undefined>

/** One action to record: who, how, what, on which ids; the outcome is added by `run`. */
export interface AuditCall {
  identity: Identity
  channel: 'graphql' | 'http'
  operation: string
  requestId?: string | undefined
  args: Record<string, unknown>
  /** The ids the action touched, from its arguments and (when it succeeded) its result. */
  targets: (result?: unknown) => TargetIds
}

export interface AuditRecorder {
  /**
   * Runs `action` and records its outcome before the caller answers. When the entry cannot be written
   * the call fails with AUDIT_WRITE_FAILED, whatever the action returned.
   */
  run: <T>(call: AuditCall, action: () => Promise<T>) => Promise<T>
  /**
   * Like `run`, for changes in the gateway's own database: the change and its entry commit in one
   * transaction (`trx`), so neither exists without the other.
   */
  runAtomic: <T>(call: AuditCall, action: (trx: Kysely<any>) => Promise<T>) => Promise<T>
  /** Appends an entry as given (routes, whose outcome is known once their answer is ready). */
  append: (entry: NewAuditEntry) => Promise<void>
}

export interface AuditRecorderOptions { db: Kysely<any>, schema: string, log: FastifyBaseLogger }

/** The gateway's audit trail: every entry goes to `schema` on `db` (see @kalla/audit). */
export function createAuditRecorder ({ db, schema, log }: AuditRecorderOptions): AuditRecorder {
  const auditDb = (on: Kysely<any>): AuditDb => on.withSchema(schema) as AuditDb
  const append = async (entry: NewAuditEntry, on: Kysely<any> = db): Promise<void> => {
    try {
      await appendEntry(auditDb(on), entry)
    } catch (error) {
      log.error({ err: error, operation: entry.operation, outcome: entry.outcome, errorCode: entry.errorCode }, 'the audit entry could not be written; the request fails')
      throw error
    }
  }
  const entryOf = (call: AuditCall, outcome: { result?: unknown, error?: unknown }): NewAuditEntry => ({
    actor: actorOf(call.identity),
    channel: call.channel,
    operation: call.operation,
    requestId: call.requestId ?? randomUUID(),
    args: call.args,
    targets: safeTargets(call, outcome.result),
    outcome: 'error' in outcome ? 'error' : 'ok',
    errorCode: 'error' in outcome ? errorCode(outcome.error) : null
  })
  return {
    append,
    run: async (call, action) => {
      let result
      try {
        result = await action()
      } catch (error) {
        await append(entryOf(call, { error }))
        throw error
      }
      await append(entryOf(call, { result }))
      return result
    },
    runAtomic: async (call, action) => {
      try {
        return await db.transaction().execute(async (trx) => {
          const result = await action(trx)
          await append(entryOf(call, { result }), trx)
          return result
        })
      } catch (error) {
        if (errorCode(error) === 'AUDIT_WRITE_FAILED') throw error
        await append(entryOf(call, { error }))
        throw error
      }
    }
  }
}

/** The entry's actor: a key's name and id (`admin-key` for KALLA_ADMIN_KEY) or a token's name and `sub`, and the role. */
export function actorOf (identity: Identity): Actor {
  return { kind: identity.kind, name: identity.name, id: identity.subject, role: identity.role }
}

/** The code a failure answers with: a coded error's own, GraphQL's extensions.code, else INTERNAL. */
export function errorCode (error: unknown): string {
  const { code, extensions } = (error ?? {}) as { code?: unknown, extensions?: { code?: unknown } }
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code)) return code
  return typeof extensions?.code === 'string' ? extensions.code : 'INTERNAL'
}

// Ids come from arguments a client sent and results a service gave: a rule that trips on an odd shape
// must not lose the entry.
function safeTargets (call: AuditCall, result: unknown): Targets {
  try {
    const targets = call.targets(result)
    return Object.fromEntries(Object.entries(targets).filter((entry): entry is [string, string | string[]] => {
      const id = entry[1]
      return id !== undefined && id !== null && (!Array.isArray(id) || id.length > 0)
    }))
  } catch {
    return {}
  }
}
