import type { DecisionActor, ExceptionChange, ExceptionRecord, RecordRef, RecipeSettings } from '@kalla/proto'
import { fourEyes, getExceptions, insertComments, insertHistory, lockException, setFourEyes, upsertExceptions, type ExceptionColumns } from '../db/exceptions-repository.ts'
import { RunsErrors } from '../errors.ts'
import { checkKeys, recipeOf, samePerson } from './decisions.ts'
import type { RunsDeps } from './deps.ts'

/**
 * One change (state, resolution, assignee, due date, comment) to a selection of records, in one
 * transaction with its history. A resolution resolves; resolving needs a resolution; reopening clears it.
 * Under four-eyes a write-off is pending until a second person approves it (reviewWriteOff).
 */
export async function updateExceptions (deps: RunsDeps, request: { recipe_id: string, records: RecordRef[], change: ExceptionChange, actor: DecisionActor }): Promise<{ updated: number, exceptions: ExceptionRecord[] }> {
  const recipe = await recipeOf(deps, request.recipe_id)
  checkKeys(recipe, request.records.filter((r) => r.side === 'left').map((r) => r.key), request.records.filter((r) => r.side === 'right').map((r) => r.key))
  const records = distinct(request.records)
  await deps.db.transaction().execute(async (trx) => {
    const columns = columnsOf(request.change, request.actor, await fourEyes(trx, request.recipe_id))
    if (Object.keys(columns).length > 0) await upsertExceptions(trx, request.recipe_id, records, columns, request.actor)
    if (request.change.comment !== undefined) await insertComments(trx, request.recipe_id, records, request.change.comment, request.actor)
    await insertHistory(trx, request.recipe_id, records, request.change, request.actor)
  })
  // A bulk change answers with its first records; the count says how many were changed.
  return { updated: records.length, exceptions: await getExceptions(deps.db, request.recipe_id, records.slice(0, 100)) }
}

function columnsOf (change: ExceptionChange, actor: DecisionActor, needsSecondPerson: boolean): ExceptionColumns {
  if (Object.keys(change).length === 0) throw RunsErrors.RUNS_CHANGE_EMPTY('The change sets nothing: give a state, resolution, assignee, due date or comment.')
  const state = change.resolution !== undefined ? 'resolved' : change.state
  if (change.state !== undefined && change.state !== 'resolved' && change.resolution !== undefined) {
    throw RunsErrors.RUNS_RESOLUTION_INVALID(`A resolution (${change.resolution}) resolves the record: leave the state out or set it to resolved.`)
  }
  if (change.state === 'resolved' && change.resolution === undefined) {
    throw RunsErrors.RUNS_RESOLUTION_MISSING('Resolving needs a resolution: matched_manually, written_off, timing or data_corrected.')
  }
  const columns: ExceptionColumns = {}
  if (state !== undefined) columns.state = state
  if (state !== undefined && state !== 'resolved') Object.assign(columns, { resolution: null, write_off_status: null, write_off_by: null })
  if (change.resolution !== undefined) {
    columns.resolution = change.resolution
    const writeOff = change.resolution === 'written_off'
    columns.write_off_status = writeOff ? (needsSecondPerson ? 'pending' : 'effective') : null
    columns.write_off_by = writeOff ? actor : null
  }
  if (change.assignee !== undefined) columns.assignee = change.assignee
  if (change.due_date !== undefined) columns.due_date = change.due_date
  return columns
}

/** A second person approves or rejects a pending write-off; its author may not. */
export async function reviewWriteOff (deps: RunsDeps, request: { recipe_id: string, record: RecordRef, approve: boolean, actor: DecisionActor }): Promise<ExceptionRecord> {
  await deps.db.transaction().execute(async (trx) => {
    const row = await lockException(trx, request.recipe_id, request.record)
    if (row?.write_off_status !== 'pending') throw RunsErrors.RUNS_WRITE_OFF_NOT_PENDING(`The ${request.record.side} record ${JSON.stringify(request.record.key)} has no write-off waiting for approval.`)
    if (row.write_off_by !== null && samePerson(row.write_off_by, request.actor)) {
      throw RunsErrors.RUNS_FOUR_EYES_SAME_PERSON(`${request.actor.name} wrote this record off and cannot also approve it: this recipe needs a second person (four-eyes).`)
    }
    const columns: ExceptionColumns = request.approve ? { write_off_status: 'effective' } : { state: 'open', resolution: null, write_off_status: 'rejected' }
    await upsertExceptions(trx, request.recipe_id, [request.record], columns, request.actor)
    await insertHistory(trx, request.recipe_id, [request.record], { write_off: request.approve ? 'approved' : 'rejected' } as never, request.actor)
  })
  const [record] = await getExceptions(deps.db, request.recipe_id, [request.record])
  return record!
}

export async function setRecipeSettings (deps: RunsDeps, request: { recipe_id: string, four_eyes: boolean, actor: DecisionActor }): Promise<RecipeSettings> {
  await recipeOf(deps, request.recipe_id)
  await setFourEyes(deps.db, request.recipe_id, request.four_eyes, request.actor)
  return { recipe_id: request.recipe_id, four_eyes: request.four_eyes }
}

function distinct (records: RecordRef[]): RecordRef[] {
  const seen = new Set<string>()
  return records.filter((r) => {
    const name = `${r.side} ${JSON.stringify(r.key)}`
    if (seen.has(name)) return false
    seen.add(name)
    return true
  })
}
