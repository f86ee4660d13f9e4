import { sql } from 'kysely'
import type { RecordKey, RecordRef, Side } from '@kalla/proto'
import { recordKey } from './exceptions-repository.ts'
import type { RunsDb } from './runs-repository.ts'

/** A record's age over the completed runs of its recipe. */
export interface RecordAge {
  first_seen_at: string
  first_seen_run_id: string
  runs_unmatched: number
}

/**
 * Records that these keys were unmatched in the run; a page recorded twice (a redelivery) adds nothing.
 * Returns false for a run the service does not know (its keys are dropped: no recipe to file them under).
 */
export async function recordSightings (db: RunsDb, runId: string, side: Side, keys: RecordKey[]): Promise<boolean> {
  const run = await db.selectFrom('runs').select('recipe_id').where('run_id', '=', runId).executeTakeFirst()
  if (run === undefined) return false
  if (keys.length === 0) return true
  await db.insertInto('unmatched_sightings')
    .values(keys.map((key) => ({ recipe_id: run.recipe_id, side, record_key: recordKey(key), run_id: runId })))
    .onConflict((oc) => oc.doNothing())
    .execute()
  return true
}

/**
 * The ages of the given records, by `side record_key`: only completed runs count (a failed or cancelled
 * run's keys are kept but never read), and a run's time is when it started (when it was created if it
 * never recorded a start). Records never unmatched in a completed run have no entry.
 */
export async function getAges (db: RunsDb, recipeId: string, records: RecordRef[]): Promise<Map<string, RecordAge>> {
  const ages = new Map<string, RecordAge>()
  for (const side of ['left', 'right'] as const) {
    const keys = records.filter((r) => r.side === side).map((r) => recordKey(r.key))
    if (keys.length === 0) continue
    const seen = sql<Date>`coalesce(r.started_at, r.created_at)`
    const rows = await db.selectFrom('unmatched_sightings as s').innerJoin('runs as r', 'r.run_id', 's.run_id')
      .select(['s.record_key'])
      .select(sql<number>`count(*)::int`.as('runs_unmatched'))
      .select(sql<Date>`min(${seen})`.as('first_seen_at'))
      .select(sql<string>`(array_agg(s.run_id ORDER BY ${seen}, s.run_id))[1]`.as('first_seen_run_id'))
      .where('s.recipe_id', '=', recipeId).where('s.side', '=', side).where('s.record_key', 'in', keys)
      .where('r.status', '=', 'completed')
      .groupBy('s.record_key')
      .execute()
    for (const row of rows) {
      ages.set(`${side} ${row.record_key}`, { first_seen_at: new Date(row.first_seen_at).toISOString(), first_seen_run_id: row.first_seen_run_id, runs_unmatched: row.runs_unmatched })
    }
  }
  return ages
}

/**
 * Ends the ages of the records a completed run no longer saw unmatched (matched, settled by a decision or
 * gone from the data): their sightings in the recipe's earlier runs are removed, and so are the sightings
 * of earlier runs that failed or were cancelled, which are never read. A record unmatched again later
 * starts a new age. The table so holds, per recipe, the records of its latest completed run and the runs
 * each of them has stayed unmatched since. Prunes only once every page of the run's keys is recorded
 * (a redelivered page may come after the completion): called on both, whichever comes last prunes.
 * Returns the rows removed.
 */
export async function pruneSightings (db: RunsDb, runId: string): Promise<number> {
  const run = await db.selectFrom('runs').select(['recipe_id', 'status', 'unmatched_left_count', 'unmatched_right_count', 'started_at', 'created_at']).where('run_id', '=', runId).executeTakeFirst()
  if (run?.status !== 'completed') return 0
  const recorded = await db.selectFrom('unmatched_sightings').select(['side', sql<number>`count(*)::int`.as('n')]).where('run_id', '=', runId).groupBy('side').execute()
  const count = (side: Side): number => recorded.find((r) => r.side === side)?.n ?? 0
  if (count('left') < (run.unmatched_left_count ?? 0) || count('right') < (run.unmatched_right_count ?? 0)) return 0
  const earlier = db.selectFrom('runs').select('run_id')
    .where('recipe_id', '=', run.recipe_id).where('run_id', '<>', runId)
    .where('status', 'in', ['completed', 'failed', 'cancelled'])
    .where(sql<Date>`coalesce(started_at, created_at)`, '<', run.started_at ?? run.created_at)
  const removed = await db.deleteFrom('unmatched_sightings as s')
    .where('s.recipe_id', '=', run.recipe_id)
    .where('s.run_id', 'in', earlier)
    .where((eb) => eb.or([
      eb('s.run_id', 'not in', earlier.where('status', '=', 'completed')),
      eb.not(eb.exists(eb.selectFrom('unmatched_sightings as t').select(sql`1`.as('one'))
        .where('t.run_id', '=', runId).whereRef('t.recipe_id', '=', 's.recipe_id').whereRef('t.side', '=', 's.side').whereRef('t.record_key', '=', 's.record_key')))
    ]))
    .executeTakeFirst()
  return Number(removed.numDeletedRows)
}
