import { isNotFound } from '@kalla/bus'
import { GetRecipe, type Decision, type DecisionActor, type RecordKey, type RequestOf, type RecordDecision, type Recipe } from '@kalla/proto'
import { findDecision, insertDecision, liveDecisionsNaming, lockRecipeDecisions, setDecisionStatus } from '../db/decisions-repository.ts'
import { fourEyes, insertHistory, upsertExceptions } from '../db/exceptions-repository.ts'
import { RunsErrors } from '../errors.ts'
import type { RunsDeps } from './deps.ts'

/**
 * Records a manual match or an unmatch. Under the recipe's four-eyes rule a manual match waits (pending)
 * for a second person; an unmatch only takes records apart and applies at once. A record already in a
 * live group of the same kind is refused: the check and the insert run under the recipe's lock.
 */
export async function recordDecision (deps: RunsDeps, request: RequestOf<typeof RecordDecision>): Promise<Decision> {
  const recipe = await recipeOf(deps, request.recipe_id)
  checkKeys(recipe, request.left, request.right)
  return await deps.db.transaction().execute(async (trx) => {
    await lockRecipeDecisions(trx, request.recipe_id)
    const clashes = await liveDecisionsNaming(trx, request.recipe_id, request.kind, request.left, request.right)
    if (clashes.length > 0) {
      const words = request.kind === 'manual_match' ? 'already matched manually' : 'already unmatched'
      throw RunsErrors.RUNS_DECISION_CONFLICT(`Some of these records are ${words} by decision ${clashes.map((c) => c.decision_id).join(', ')}: revoke it first or leave those records out.`)
    }
    const pending = request.kind === 'manual_match' && await fourEyes(trx, request.recipe_id)
    const decision = await insertDecision(trx, { ...request, status: pending ? 'pending' : 'effective', created_by: request.actor })
    if (decision.status === 'effective' && decision.kind === 'manual_match') await markMatched(trx, decision, request.actor)
    return decision
  })
}

/** A second person approves or rejects a pending manual match; its author may not. */
export async function reviewDecision (deps: RunsDeps, request: { decision_id: string, approve: boolean, actor: DecisionActor }): Promise<Decision> {
  return await deps.db.transaction().execute(async (trx) => {
    const decision = await findDecision(trx, request.decision_id, true)
    if (decision === undefined) throw RunsErrors.RUNS_DECISION_NOT_FOUND(`There is no decision "${request.decision_id}".`)
    if (decision.status !== 'pending') throw RunsErrors.RUNS_DECISION_NOT_PENDING(`Decision ${decision.decision_id} is ${decision.status}, not waiting for approval.`)
    if (samePerson(decision.created_by, request.actor)) throw RunsErrors.RUNS_FOUR_EYES_SAME_PERSON(`${request.actor.name} made decision ${decision.decision_id} and cannot also approve it: this recipe needs a second person (four-eyes).`)
    const reviewed = await setDecisionStatus(trx, decision.decision_id, request.approve ? 'effective' : 'rejected', request.actor)
    if (reviewed.status === 'effective' && reviewed.kind === 'manual_match') await markMatched(trx, reviewed, request.actor)
    return reviewed
  })
}

/** Takes a decision back: later runs no longer apply it. */
export async function revokeDecision (deps: RunsDeps, request: { decision_id: string, reason: string, actor: DecisionActor }): Promise<Decision> {
  return await deps.db.transaction().execute(async (trx) => {
    const decision = await findDecision(trx, request.decision_id, true)
    if (decision === undefined) throw RunsErrors.RUNS_DECISION_NOT_FOUND(`There is no decision "${request.decision_id}".`)
    if (decision.status === 'revoked' || decision.status === 'rejected') throw RunsErrors.RUNS_DECISION_NOT_PENDING(`Decision ${decision.decision_id} is already ${decision.status}.`)
    return await setDecisionStatus(trx, decision.decision_id, 'revoked', request.actor)
  })
}

/** The same person: the same key or token subject when both have one, else the same name. */
export function samePerson (a: DecisionActor, b: DecisionActor): boolean {
  return a.id !== null && b.id !== null ? a.id === b.id : a.name === b.name
}

async function markMatched (trx: RunsDeps['db'], decision: Decision, actor: DecisionActor): Promise<void> {
  const records = [...decision.left.map((key) => ({ side: 'left' as const, key })), ...decision.right.map((key) => ({ side: 'right' as const, key }))]
  await upsertExceptions(trx, decision.recipe_id, records, { state: 'resolved', resolution: 'matched_manually' }, actor)
  await insertHistory(trx, decision.recipe_id, records, { state: 'resolved', resolution: 'matched_manually' }, actor)
}

export async function recipeOf (deps: RunsDeps, recipeId: string): Promise<Recipe> {
  try {
    return (await deps.bus.request(GetRecipe, { recipe_id: recipeId })).recipe
  } catch (error) {
    if (isNotFound(error)) throw RunsErrors.RUNS_RECIPE_NOT_FOUND(`There is no recipe "${recipeId}".`, error)
    throw error
  }
}

/** Each key must have one value per primary-key column of its side. */
export function checkKeys (recipe: Recipe, left: RecordKey[], right: RecordKey[]): void {
  for (const [side, keys] of [['left', left], ['right', right]] as const) {
    const columns = recipe.sources[side].primary_key
    const wrong = keys.find((k) => k.length !== columns.length)
    if (wrong !== undefined) {
      throw RunsErrors.RUNS_KEY_INVALID(`The ${side} record ${JSON.stringify(wrong)} has ${wrong.length} key value(s), but ${recipe.sources[side].alias}'s primary key is ${columns.join(', ')}: give one value per column, in that order.`)
    }
  }
}
