import { createHash } from 'node:crypto'
import type { Outcome, Targets } from './tables.ts'

/**
 * Who acted: `api-key` (its name and id; `admin-key` for KALLA_ADMIN_KEY), `jwt` (the token's name claim and
 * `sub`) or `cli`; `role` is null for direct database access (the CLI).
 */
export interface Actor { kind: string, name: string, id: string | null, role: string | null }

/** What a caller hands to `appendEntry`; the log adds the sequence number, the time and the hashes. */
export interface NewAuditEntry {
  actor: Actor
  /** How the action arrived: `graphql`, `http` or `cli`. */
  channel: string
  /** The GraphQL root field (`saveRecipe`), the HTTP action (`upload`, `download`) or the CLI command. */
  operation: string
  targets: Targets
  /** The arguments as given, already redacted (see redactArgs). */
  args: Record<string, unknown>
  outcome: Outcome
  errorCode: string | null
  requestId: string | null
}

/** An entry as stored and shown. */
export interface AuditEntry extends NewAuditEntry {
  seq: string
  at: string
  /** Hex SHA-256 of the previous entry's hash followed by this entry's canonical JSON. */
  prevHash: string
  hash: string
}

/** The chain starts from 32 zero bytes. */
export const GENESIS_HASH = Buffer.alloc(32)

/**
 * The JSON an entry's hash covers: every field but the hashes, object keys sorted at every level,
 * so the same entry always gives the same bytes however its JSON was stored and read back.
 */
export function canonicalEntry (entry: Omit<AuditEntry, 'prevHash' | 'hash'>): string {
  const { seq, at, actor, channel, operation, targets, args, outcome, errorCode, requestId } = entry
  return canonicalJson({ seq, at, actor, channel, operation, targets, args, outcome, errorCode, requestId })
}

/** sha256(previous hash || canonical JSON of the entry). */
export function entryHash (prevHash: Buffer, canonical: string): Buffer {
  return createHash('sha256').update(prevHash).update(canonical, 'utf8').digest()
}

/** JSON with object keys sorted; undefined members left out, as JSON.stringify does. */
export function canonicalJson (value: unknown): string {
  return JSON.stringify(sortKeys(value))
}

function sortKeys (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value === null || typeof value !== 'object') return value
  const sorted: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key]
    if (member !== undefined) sorted[key] = sortKeys(member)
  }
  return sorted
}
