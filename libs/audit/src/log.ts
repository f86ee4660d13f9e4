import type { Kysely, Selectable } from 'kysely'
import { canonicalEntry, entryHash, type AuditEntry, type NewAuditEntry } from './entry.ts'
import { AuditErrors } from './errors.ts'
import { redactArgs } from './redact.ts'
import type { AuditDatabase, EntriesTable, Outcome } from './tables.ts'

export type AuditDb = Kysely<AuditDatabase>

/**
 * Appends one entry to the chain: the head row is locked, so concurrent appends (from any process)
 * queue and form one chain; the entry gets the next sequence number, the time, and
 * sha256(previous hash || canonical JSON). Arguments and targets are redacted here, whoever calls.
 * Given a transaction, the entry commits or rolls back with the caller's change. Any failure is
 * AUDIT_WRITE_FAILED: the caller must then fail the action, never carry on unrecorded.
 * @example await appendEntry(db, { actor, channel: 'graphql', operation: 'deleteRecipe', targets: { recipeId }, args, outcome: 'ok', errorCode: null, requestId })
 */
export async function appendEntry (db: AuditDb, entry: NewAuditEntry, now: Date = new Date()): Promise<AuditEntry> {
  const append = async (trx: AuditDb): Promise<AuditEntry> => {
    const head = await trx.selectFrom('head').select(['seq', 'hash']).forUpdate().executeTakeFirstOrThrow()
    const unhashed = {
      ...entry,
      seq: (BigInt(head.seq) + 1n).toString(),
      at: now.toISOString(),
      targets: redactArgs(entry.targets) as NewAuditEntry['targets'],
      args: redactArgs(entry.args)
    }
    const prevHash = Buffer.from(head.hash)
    const hash = entryHash(prevHash, canonicalEntry(unhashed))
    await trx.insertInto('entries').values({
      seq: unhashed.seq,
      at: now,
      request_id: unhashed.requestId,
      actor_kind: unhashed.actor.kind,
      actor: unhashed.actor.name,
      actor_id: unhashed.actor.id,
      role: unhashed.actor.role,
      channel: unhashed.channel,
      operation: unhashed.operation,
      targets: JSON.stringify(unhashed.targets),
      args: JSON.stringify(unhashed.args),
      outcome: unhashed.outcome,
      error_code: unhashed.errorCode,
      prev_hash: prevHash,
      hash
    }).execute()
    return { ...unhashed, prevHash: prevHash.toString('hex'), hash: hash.toString('hex') }
  }
  try {
    return db.isTransaction ? await append(db) : await db.transaction().execute(append)
  } catch (error) {
    throw AuditErrors.AUDIT_WRITE_FAILED('The action could not be recorded in the audit log, so it was refused; the details are in the log. Try again once the audit database is writable.', error)
  }
}

export interface AuditFilter {
  operation?: string | null
  /** A key's name or id, or a token's subject. */
  actor?: string | null
  since?: Date | null
  until?: Date | null
  outcome?: Outcome | null
}

export const MAX_LIST_LIMIT = 500

/** Entries matching `filter`, newest first: `since` inclusive, `until` exclusive. */
export async function listEntries (db: AuditDb, filter: AuditFilter = {}, limit = 50, offset = 0): Promise<AuditEntry[]> {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) throw AuditErrors.AUDIT_QUERY_INVALID(`limit must be 1 to ${MAX_LIST_LIMIT}; page with offset.`)
  if (!Number.isInteger(offset) || offset < 0) throw AuditErrors.AUDIT_QUERY_INVALID('offset must be 0 or more.')
  let query = db.selectFrom('entries').selectAll()
  if (filter.operation != null) query = query.where('operation', '=', filter.operation)
  const actor = filter.actor
  if (actor != null) query = query.where((eb) => eb.or([eb('actor', '=', actor), eb('actor_id', '=', actor)]))
  if (filter.since != null) query = query.where('at', '>=', filter.since)
  if (filter.until != null) query = query.where('at', '<', filter.until)
  if (filter.outcome != null) query = query.where('outcome', '=', filter.outcome)
  const rows = await query.orderBy('seq', 'desc').limit(limit).offset(offset).execute()
  return rows.map(toEntry)
}

/** A stored row as an entry; PGlite and pg differ in how they hand over bigint and bytea, so both are normalised. */
export function toEntry (row: Selectable<EntriesTable>): AuditEntry {
  return {
    seq: String(row.seq),
    at: new Date(row.at).toISOString(),
    requestId: row.request_id,
    actor: { kind: row.actor_kind, name: row.actor, id: row.actor_id, role: row.role },
    channel: row.channel,
    operation: row.operation,
    targets: row.targets,
    args: row.args,
    outcome: row.outcome,
    errorCode: row.error_code,
    prevHash: Buffer.from(row.prev_hash).toString('hex'),
    hash: Buffer.from(row.hash).toString('hex')
  }
}
