import type { ColumnType } from 'kysely'

/** What an entry says happened. */
export type Outcome = 'ok' | 'error'

/** The ids an entry is about, by kind: `{ runId: 'r1', uploadIds: ['u1', 'u2'] }`. */
export type Targets = Record<string, string | string[]>

/** One recorded action. Rows are only ever inserted: triggers refuse UPDATE, DELETE and TRUNCATE. */
export interface EntriesTable {
  seq: ColumnType<string, string, never>
  at: ColumnType<Date, Date, never>
  request_id: string | null
  actor_kind: string
  actor: string
  actor_id: string | null
  role: string | null
  channel: string
  operation: string
  targets: ColumnType<Targets, string, never>
  args: ColumnType<Record<string, unknown>, string, never>
  outcome: Outcome
  error_code: string | null
  prev_hash: ColumnType<Buffer, Buffer, never>
  hash: ColumnType<Buffer, Buffer, never>
}

/** The one row naming the chain's last entry: appends lock it, and verification checks the tail against it. */
export interface HeadTable {
  singleton: ColumnType<boolean, never, never>
  seq: ColumnType<string, never, never>
  hash: ColumnType<Buffer, never, never>
}

export interface AuditDatabase {
  entries: EntriesTable
  head: HeadTable
}
