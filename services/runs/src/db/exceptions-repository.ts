import { sql, type Selectable } from 'kysely'
import type { DecisionActor, ExceptionChange, ExceptionRecord, ExceptionState, RecordKey, RecordRef, Resolution, Side } from '@kalla/proto'
import { getAges } from './ages-repository.ts'
import type { RunsDb } from './runs-repository.ts'
import type { ExceptionsTable } from './tables.ts'

/** The stored name of a record: its key values as JSON text. */
export function recordKey (key: RecordKey): string {
  return JSON.stringify(key)
}

/** The columns one change sets; fields the change leaves out are not touched. */
export interface ExceptionColumns {
  state?: ExceptionState
  resolution?: Resolution | null
  write_off_status?: 'pending' | 'effective' | 'rejected' | null
  write_off_by?: DecisionActor | null
  assignee?: string | null
  due_date?: string | null
}

/**
 * Applies one change to every record in one statement: a record without a row gets one, a record with a
 * row has only the named columns set, on the row as it is when the statement takes its lock. Two people
 * changing different fields of one record at once therefore both keep their change, and a comment or a
 * history line is an insert, never a rewrite. Call inside a transaction with the comment and history.
 */
export async function upsertExceptions (db: RunsDb, recipeId: string, records: RecordRef[], columns: ExceptionColumns, actor: DecisionActor): Promise<void> {
  const jsonOrNull = (v: DecisionActor | null | undefined): string | null => v === undefined || v === null ? null : JSON.stringify(v)
  const values = records.map((r) => ({
    recipe_id: recipeId,
    side: r.side,
    record_key: recordKey(r.key),
    state: columns.state ?? 'open',
    resolution: columns.resolution ?? null,
    write_off_status: columns.write_off_status ?? null,
    write_off_by: jsonOrNull(columns.write_off_by),
    assignee: columns.assignee ?? null,
    due_date: columns.due_date ?? null,
    updated_by: JSON.stringify(actor),
    updated_at: new Date()
  }))
  const named = (Object.keys(columns) as (keyof ExceptionColumns)[]).filter((k) => columns[k] !== undefined)
  for (let i = 0; i < values.length; i += 1000) {
    await db.insertInto('exceptions').values(values.slice(i, i + 1000))
      .onConflict((oc) => oc.columns(['recipe_id', 'side', 'record_key']).doUpdateSet((eb) => ({
        ...Object.fromEntries(named.map((k) => [k, eb.ref(`excluded.${k}`)])),
        updated_by: eb.ref('excluded.updated_by'),
        updated_at: eb.ref('excluded.updated_at')
      })))
      .execute()
  }
}

export async function insertHistory (db: RunsDb, recipeId: string, records: RecordRef[], change: ExceptionChange, actor: DecisionActor): Promise<void> {
  for (let i = 0; i < records.length; i += 1000) {
    await db.insertInto('exception_history').values(records.slice(i, i + 1000).map((r) => ({
      recipe_id: recipeId, side: r.side, record_key: recordKey(r.key), change: JSON.stringify(change), actor: JSON.stringify(actor)
    }))).execute()
  }
}

export async function insertComments (db: RunsDb, recipeId: string, records: RecordRef[], body: string, author: DecisionActor): Promise<void> {
  for (let i = 0; i < records.length; i += 1000) {
    await db.insertInto('exception_comments').values(records.slice(i, i + 1000).map((r) => ({
      recipe_id: recipeId, side: r.side, record_key: recordKey(r.key), body, author: JSON.stringify(author)
    }))).execute()
  }
}

/** The records' states with their comments, oldest comment first; a record never acted on reads as open. */
export async function getExceptions (db: RunsDb, recipeId: string, records: RecordRef[]): Promise<ExceptionRecord[]> {
  if (records.length === 0) return []
  const bySide = (side: Side): string[] => records.filter((r) => r.side === side).map((r) => recordKey(r.key))
  const match = (eb: any) => eb.or((['left', 'right'] as const).filter((s) => bySide(s).length > 0)
    .map((s) => eb.and([eb('side', '=', s), eb('record_key', 'in', bySide(s))])))
  // The due date as its text, so the calendar day never moves with the process' time zone.
  const rows = await db.selectFrom('exceptions').selectAll().select(sql<string | null>`due_date::text`.as('due_date'))
    .where('recipe_id', '=', recipeId).where(match).execute()
  const comments = await db.selectFrom('exception_comments').selectAll().where('recipe_id', '=', recipeId).where(match).orderBy('id').execute()
  const ages = await getAges(db, recipeId, records)
  const found = new Map(rows.map((r) => [`${r.side} ${r.record_key}`, r]))
  return records.map((r) => {
    const name = `${r.side} ${recordKey(r.key)}`
    const own = comments.filter((c) => `${c.side} ${c.record_key}` === name)
      .map((c) => ({ author: c.author, body: c.body, at: new Date(c.at).toISOString() }))
    const row = found.get(name)
    const state = row === undefined ? { recipe_id: recipeId, side: r.side, key: r.key, state: 'open' as const, comments: own } : toException(row, own)
    return { ...state, ...ages.get(name) }
  })
}

export async function listExceptions (db: RunsDb, filter: { recipe_id: string, side?: Side, state?: ExceptionState, assignee?: string, limit: number, offset: number }): Promise<ExceptionRecord[]> {
  let query = db.selectFrom('exceptions').select(['side', 'record_key']).where('recipe_id', '=', filter.recipe_id)
  if (filter.side !== undefined) query = query.where('side', '=', filter.side)
  if (filter.state !== undefined) query = query.where('state', '=', filter.state)
  if (filter.assignee !== undefined) query = query.where('assignee', '=', filter.assignee)
  const rows = await query.orderBy('side').orderBy('record_key').limit(filter.limit).offset(filter.offset).execute()
  return await getExceptions(db, filter.recipe_id, rows.map((r) => ({ side: r.side as Side, key: JSON.parse(r.record_key) as RecordKey })))
}

/**
 * One page of the keys of a side's records whose stored state passes the filter, in record-key order from
 * just after `after`; `more` says whether another page follows. Served by the primary key's index.
 */
export async function listExceptionKeys (db: RunsDb, filter: { recipe_id: string, side: Side, state?: ExceptionState, not_state?: ExceptionState, assignee?: string, after?: RecordKey, limit: number }): Promise<{ keys: RecordKey[], more: boolean }> {
  let query = db.selectFrom('exceptions').select('record_key').where('recipe_id', '=', filter.recipe_id).where('side', '=', filter.side)
  if (filter.state !== undefined) query = query.where('state', '=', filter.state)
  if (filter.not_state !== undefined) query = query.where('state', '<>', filter.not_state)
  if (filter.assignee !== undefined) query = query.where('assignee', '=', filter.assignee)
  if (filter.after !== undefined) query = query.where('record_key', '>', recordKey(filter.after))
  // The order and `>` share the column's collation, so paging by `after` neither repeats nor skips a key.
  const rows = await query.orderBy('record_key').limit(filter.limit + 1).execute()
  return { keys: rows.slice(0, filter.limit).map((r) => JSON.parse(r.record_key) as RecordKey), more: rows.length > filter.limit }
}

/** The row of one record, locked for the rest of the transaction. */
export async function lockException (db: RunsDb, recipeId: string, record: RecordRef): Promise<Selectable<ExceptionsTable> | undefined> {
  return await db.selectFrom('exceptions').selectAll().where('recipe_id', '=', recipeId).where('side', '=', record.side)
    .where('record_key', '=', recordKey(record.key)).forUpdate().executeTakeFirst()
}

export async function fourEyes (db: RunsDb, recipeId: string): Promise<boolean> {
  const row = await db.selectFrom('recipe_settings').select('four_eyes').where('recipe_id', '=', recipeId).executeTakeFirst()
  return row?.four_eyes ?? false
}

export async function setFourEyes (db: RunsDb, recipeId: string, on: boolean, actor: DecisionActor): Promise<void> {
  await db.insertInto('recipe_settings').values({ recipe_id: recipeId, four_eyes: on, updated_by: JSON.stringify(actor), updated_at: new Date() })
    .onConflict((oc) => oc.column('recipe_id').doUpdateSet({ four_eyes: on, updated_by: JSON.stringify(actor), updated_at: sql`now()` }))
    .execute()
}

function toException (row: Selectable<ExceptionsTable>, comments: ExceptionRecord['comments']): ExceptionRecord {
  return {
    recipe_id: row.recipe_id,
    side: row.side as Side,
    key: JSON.parse(row.record_key) as RecordKey,
    state: row.state as ExceptionState,
    ...(row.resolution === null ? {} : { resolution: row.resolution as Resolution }),
    ...(row.write_off_status === null ? {} : { write_off_status: row.write_off_status as 'pending' }),
    ...(row.assignee === null ? {} : { assignee: row.assignee }),
    ...(row.due_date === null ? {} : { due_date: row.due_date }),
    comments,
    ...(row.updated_by === null ? {} : { updated_by: row.updated_by }),
    updated_at: new Date(row.updated_at).toISOString()
  }
}
