import type { Kysely } from 'kysely'
import { listEntries, verifyChain, type AuditDb, type AuditFilter, type Outcome } from '@kalla/audit'

interface GqlAuditFilter { operation?: string | null, actor?: string | null, since?: string | null, until?: string | null, outcome?: Outcome | null }

/** auditLog and auditChain: the log as admins read it (proto's access table). */
export function auditResolvers (deps: { db: Kysely<any>, schema: string }) {
  const db = deps.db.withSchema(deps.schema) as AuditDb
  return {
    auditLog: async (_: unknown, args: { filter?: GqlAuditFilter | null, limit: number, offset: number }) =>
      await listEntries(db, toFilter(args.filter ?? {}), args.limit, args.offset),
    auditChain: async () => await verifyChain(db)
  }
}

function toFilter (filter: GqlAuditFilter): AuditFilter {
  return {
    operation: filter.operation,
    actor: filter.actor,
    outcome: filter.outcome,
    since: filter.since == null ? null : new Date(filter.since),
    until: filter.until == null ? null : new Date(filter.until)
  }
}
