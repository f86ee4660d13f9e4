import { sql } from 'kysely'
import { verifyChain, type AuditDb } from '@kalla/audit'
import { openDatabase } from '@kalla/db'
import { schemaName } from './keys-command.ts'
import { UsageError, type Output } from './output.ts'

export interface AuditFlags { 'database-url'?: string, 'audit-schema'?: string }

/**
 * `kalla audit verify`: walks the audit trail in the configured database (--database-url or DATABASE_URL,
 * schema --audit-schema or GATEWAY_AUDIT_DB_SCHEMA, default audit), recomputes every hash and reports the
 * first entry that was modified, deleted or reordered. Exit 0 when the chain holds, 1 when it is broken.
 * It only reads: the schema is not created or migrated.
 */
export async function auditCommand (action: string, flags: AuditFlags, out: Output): Promise<number> {
  if (action !== 'verify') throw new UsageError(`Unknown audit command "${action}": use verify.`)
  const url = flags['database-url'] ?? out.databaseUrl
  if (url === undefined || url === '') throw new UsageError('kalla audit needs --database-url URL (or DATABASE_URL): the Postgres the gateway keeps its audit trail in.')
  const schema = schemaName(flags['audit-schema'] ?? out.auditSchema ?? 'audit')
  const database = await openDatabase({ url, poolSize: 1 })
  try {
    const found = await sql<{ found: string | null }>`SELECT to_regclass(${`${schema}.head`})::text AS found`.execute(database.db)
    if (found.rows[0]?.found == null) {
      out.stderr.write(`kalla: there is no audit trail in schema "${schema}" of that database (is --audit-schema right, and has the gateway been migrated?).\n`)
      return 1
    }
    const report = await verifyChain(database.db.withSchema(schema) as AuditDb)
    if (report.valid) {
      out.stdout.write(`The audit trail in "${schema}" is intact: ${report.entries} entries, every hash recomputed.\n`)
      return 0
    }
    out.stdout.write(`The audit trail in "${schema}" is BROKEN at entry ${report.firstBroken?.seq ?? '?'}: ${report.firstBroken?.reason ?? ''}.\n${report.entries} entries before it hold.\n`)
    return 1
  } finally {
    await database.close()
  }
}
