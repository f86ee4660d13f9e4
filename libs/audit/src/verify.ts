import { canonicalEntry, entryHash, GENESIS_HASH } from './entry.ts'
import { toEntry, type AuditDb } from './log.ts'

/** Where the chain first fails to hold, and how. */
export interface ChainBreak { seq: string, reason: string }

export interface ChainReport { valid: boolean, entries: number, firstBroken: ChainBreak | null }

/**
 * Walks the whole chain in sequence order (`batchSize` rows at a time) and recomputes every hash.
 * Reports the first entry that was modified (its hash no longer matches its content), is missing
 * (a gap in the sequence: deleted), does not follow its predecessor (reordered or inserted out of
 * turn), or a tail that ends before the head row says it does (the last entries deleted).
 * @example const { valid, firstBroken } = await verifyChain(db)
 */
export async function verifyChain (db: AuditDb, batchSize = 1000): Promise<ChainReport> {
  let expected = 1n
  let prevHash = GENESIS_HASH
  let entries = 0
  for (;;) {
    const rows = await db.selectFrom('entries').selectAll().where('seq', '>=', expected.toString()).orderBy('seq').limit(batchSize).execute()
    for (const row of rows) {
      const entry = toEntry(row)
      const broken = checkEntry(entry, expected, prevHash)
      if (broken !== undefined) return { valid: false, entries, firstBroken: broken }
      entries++
      expected++
      prevHash = Buffer.from(entry.hash, 'hex')
    }
    if (rows.length < batchSize) break
  }
  const head = await db.selectFrom('head').select(['seq', 'hash']).executeTakeFirst()
  const last = (expected - 1n).toString()
  if (head === undefined) return { valid: false, entries, firstBroken: { seq: last, reason: 'the head row is missing' } }
  if (String(head.seq) !== last || !Buffer.from(head.hash).equals(prevHash)) {
    return { valid: false, entries, firstBroken: { seq: expected.toString(), reason: `the chain ends at entry ${last} but its head names entry ${String(head.seq)}: the last entries were removed or the head was changed` } }
  }
  return { valid: true, entries, firstBroken: null }
}

function checkEntry (entry: ReturnType<typeof toEntry>, expected: bigint, prevHash: Buffer): ChainBreak | undefined {
  const seq = BigInt(entry.seq)
  if (seq !== expected) return { seq: expected.toString(), reason: `entry ${expected} is missing (the next stored entry is ${entry.seq}): it was deleted or renumbered` }
  if (entry.prevHash !== prevHash.toString('hex')) return { seq: entry.seq, reason: `entry ${entry.seq} does not follow entry ${expected - 1n}: entries were reordered or replaced` }
  const { prevHash: _prev, hash, ...content } = entry
  if (entryHash(prevHash, canonicalEntry(content)).toString('hex') !== hash) return { seq: entry.seq, reason: `entry ${entry.seq} was modified: its content no longer matches its hash` }
  return undefined
}
