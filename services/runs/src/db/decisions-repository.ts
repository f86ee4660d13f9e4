import { randomUUID } from 'node:crypto'
import { sql, type Selectable } from 'kysely'
import type { Decision, DecisionActor, DecisionKind, DecisionStatus, JobDecisions, RecordKey } from '@kalla/proto'
import type { RunsDb } from './runs-repository.ts'
import type { DecisionsTable } from './tables.ts'

export interface NewDecision {
  recipe_id: string
  kind: DecisionKind
  left: RecordKey[]
  right: RecordKey[]
  reason: string
  status: DecisionStatus
  run_id?: string | undefined
  created_by: DecisionActor
}

/** Serialises decision writes of one recipe (any replica): a conflict check and its insert see one state. */
export async function lockRecipeDecisions (db: RunsDb, recipeId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${'kalla.decisions:' + recipeId}))`.execute(db)
}

export async function insertDecision (db: RunsDb, decision: NewDecision): Promise<Decision> {
  const row = await db.insertInto('decisions').values({
    decision_id: `dec-${randomUUID()}`,
    recipe_id: decision.recipe_id,
    kind: decision.kind,
    left_keys: JSON.stringify(decision.left),
    right_keys: JSON.stringify(decision.right),
    reason: decision.reason,
    status: decision.status,
    run_id: decision.run_id ?? null,
    created_by: JSON.stringify(decision.created_by)
  }).returningAll().executeTakeFirstOrThrow()
  return toDecision(row)
}

/**
 * Live (pending or effective) decisions of `kind` that already name one of the records: a record is in at
 * most one live group of each kind. Containment (`@>`) on the key arrays, one OR per key.
 */
export async function liveDecisionsNaming (db: RunsDb, recipeId: string, kind: DecisionKind, left: RecordKey[], right: RecordKey[]): Promise<Decision[]> {
  const rows = await db.selectFrom('decisions').selectAll()
    .where('recipe_id', '=', recipeId).where('kind', '=', kind).where('status', 'in', ['pending', 'effective'])
    .where((eb) => eb.or([
      ...left.map((k) => eb(sql`left_keys`, '@>', sql`${JSON.stringify([k])}::jsonb`)),
      ...right.map((k) => eb(sql`right_keys`, '@>', sql`${JSON.stringify([k])}::jsonb`))
    ]))
    .execute()
  return rows.map(toDecision)
}

export async function findDecision (db: RunsDb, decisionId: string, forUpdate = false): Promise<Decision | undefined> {
  let query = db.selectFrom('decisions').selectAll().where('decision_id', '=', decisionId)
  if (forUpdate) query = query.forUpdate()
  const row = await query.executeTakeFirst()
  return row === undefined ? undefined : toDecision(row)
}

export async function setDecisionStatus (db: RunsDb, decisionId: string, status: DecisionStatus, reviewer: DecisionActor): Promise<Decision> {
  const row = await db.updateTable('decisions')
    .set({ status, reviewed_by: JSON.stringify(reviewer), reviewed_at: new Date() })
    .where('decision_id', '=', decisionId).returningAll().executeTakeFirstOrThrow()
  return toDecision(row)
}

export async function listDecisions (db: RunsDb, filter: { recipe_id: string, status?: DecisionStatus, limit: number, offset: number }): Promise<Decision[]> {
  let query = db.selectFrom('decisions').selectAll().where('recipe_id', '=', filter.recipe_id)
  if (filter.status !== undefined) query = query.where('status', '=', filter.status)
  const rows = await query.orderBy('created_at', 'desc').orderBy('decision_id').limit(filter.limit).offset(filter.offset).execute()
  return rows.map(toDecision)
}

/** What a run of the recipe must apply: its effective groups and effective write-offs, keys only. */
export async function jobDecisions (db: RunsDb, recipeId: string): Promise<JobDecisions> {
  const rows = await db.selectFrom('decisions').select(['decision_id', 'kind', 'left_keys', 'right_keys'])
    .where('recipe_id', '=', recipeId).where('status', '=', 'effective').orderBy('created_at').orderBy('decision_id').execute()
  const group = (r: typeof rows[number]) => ({ decision_id: r.decision_id, left: r.left_keys, right: r.right_keys })
  const writeOffs = await db.selectFrom('exceptions').select(['side', 'record_key'])
    .where('recipe_id', '=', recipeId).where('resolution', '=', 'written_off').where('write_off_status', '=', 'effective')
    .orderBy('side').orderBy('record_key').execute()
  const keysOf = (side: string): RecordKey[] => writeOffs.filter((w) => w.side === side).map((w) => JSON.parse(w.record_key) as RecordKey)
  return {
    manual_matches: rows.filter((r) => r.kind === 'manual_match').map(group),
    unmatches: rows.filter((r) => r.kind === 'unmatch').map(group),
    write_offs: { left: keysOf('left'), right: keysOf('right') }
  }
}

function toDecision (row: Selectable<DecisionsTable>): Decision {
  return {
    decision_id: row.decision_id,
    recipe_id: row.recipe_id,
    kind: row.kind as DecisionKind,
    left: row.left_keys,
    right: row.right_keys,
    reason: row.reason,
    status: row.status as DecisionStatus,
    ...(row.run_id === null ? {} : { run_id: row.run_id }),
    created_by: row.created_by,
    created_at: new Date(row.created_at).toISOString(),
    ...(row.reviewed_by === null ? {} : { reviewed_by: row.reviewed_by }),
    ...(row.reviewed_at === null ? {} : { reviewed_at: new Date(row.reviewed_at).toISOString() })
  }
}
