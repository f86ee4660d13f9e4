import type { Identity } from '@kalla/auth'
import {
  GetExceptions, GetRecipe, GetRecipeSettings, GetRun, ListDecisions, ListExceptions, MAX_BULK_RECORDS, RecordDecision, ReviewDecision,
  ReviewWriteOff, RevokeDecision, SetRecipeSettings, UpdateExceptions, type Decision, type DecisionActor, type DecisionStatus,
  type ExceptionChange, type ExceptionRecord, type ExceptionState, type RecordRef, type Resolution, type Side
} from '@kalla/proto'
import { ask, type GatewayDeps } from '../deps.ts'
import { GatewayErrors } from '../errors.ts'
import { readPage } from '../results/read-page.ts'
import { checkPage } from './page-args.ts'
import { keyText, toException } from './exception-mapping.ts'

interface Context { identity?: Identity | null, reply?: { request?: { identity?: Identity } } }
interface DecisionInput { recipeId: string, left: string[][], right: string[][], reason: string, runId?: string | null }
interface ChangeInput { state?: ExceptionState | null, resolution?: Resolution | null, assignee?: string | null, dueDate?: string | null, comment?: string | null }
interface RunFilter { side: Side, state?: ExceptionState | null, assignee?: string | null }

/** The person a change is recorded under: the caller's key or token, never its secret. */
function actor (context: Context): DecisionActor {
  const identity = context.identity ?? context.reply?.request?.identity
  if (identity === undefined || identity === null) throw new Error('an exceptions mutation ran without an identity')
  return { name: identity.name, id: identity.subject }
}

/** Query and mutation resolvers of the exceptions workflow; the runs service owns the data. */
export function exceptionResolvers (deps: GatewayDeps) {
  const decide = (kind: 'manual_match' | 'unmatch') => async (_: unknown, { input }: { input: DecisionInput }, context: Context) =>
    toDecision(await ask(deps, RecordDecision, { recipe_id: input.recipeId, kind, left: input.left, right: input.right, reason: input.reason, ...(input.runId == null ? {} : { run_id: input.runId }), actor: actor(context) }))
  return {
    Query: {
      decisions: async (_: unknown, args: { recipeId: string, status?: DecisionStatus | null, limit: number, offset: number }) => {
        checkPage('decisions', args)
        const { decisions } = await ask(deps, ListDecisions, { recipe_id: args.recipeId, ...(args.status == null ? {} : { status: args.status }), limit: args.limit, offset: args.offset })
        return decisions.map(toDecision)
      },
      exceptions: async (_: unknown, args: { recipeId: string, side?: Side | null, state?: ExceptionState | null, assignee?: string | null, limit: number, offset: number }) => {
        checkPage('exceptions', args)
        const filter = { ...(args.side == null ? {} : { side: args.side }), ...(args.state == null ? {} : { state: args.state }), ...(args.assignee == null ? {} : { assignee: args.assignee }) }
        return (await ask(deps, ListExceptions, { recipe_id: args.recipeId, ...filter, limit: args.limit, offset: args.offset })).exceptions.map(toException)
      },
      exceptionRecords: async (_: unknown, args: { recipeId: string, records: RecordRef[] }) =>
        (await ask(deps, GetExceptions, { recipe_id: args.recipeId, records: args.records })).exceptions.map(toException),
      recipeExceptionSettings: async (_: unknown, { recipeId }: { recipeId: string }) => toSettings(await ask(deps, GetRecipeSettings, { recipe_id: recipeId }))
    },
    Mutation: {
      recordManualMatch: decide('manual_match'),
      recordUnmatch: decide('unmatch'),
      reviewDecision: async (_: unknown, args: { decisionId: string, approve: boolean }, context: Context) =>
        toDecision(await ask(deps, ReviewDecision, { decision_id: args.decisionId, approve: args.approve, actor: actor(context) })),
      revokeDecision: async (_: unknown, args: { decisionId: string, reason: string }, context: Context) =>
        toDecision(await ask(deps, RevokeDecision, { decision_id: args.decisionId, reason: args.reason, actor: actor(context) })),
      updateExceptions: async (_: unknown, args: { recipeId: string, records: RecordRef[], change: ChangeInput }, context: Context) =>
        toUpdate(await ask(deps, UpdateExceptions, { recipe_id: args.recipeId, records: args.records, change: fromChange(args.change), actor: actor(context) })),
      updateRunExceptions: async (_: unknown, args: { runId: string, filter: RunFilter, change: ChangeInput }, context: Context) => {
        const { recipeId, records } = await selectRunRecords(deps, args.runId, args.filter)
        if (records.length === 0) return { updated: 0, exceptions: [] }
        return toUpdate(await ask(deps, UpdateExceptions, { recipe_id: recipeId, records, change: fromChange(args.change), actor: actor(context) }))
      },
      reviewWriteOff: async (_: unknown, args: { recipeId: string, record: RecordRef, approve: boolean }, context: Context) =>
        toException(await ask(deps, ReviewWriteOff, { recipe_id: args.recipeId, record: args.record, approve: args.approve, actor: actor(context) })),
      setRecipeFourEyes: async (_: unknown, args: { recipeId: string, fourEyes: boolean }, context: Context) =>
        toSettings(await ask(deps, SetRecipeSettings, { recipe_id: args.recipeId, four_eyes: args.fourEyes, actor: actor(context) }))
    }
  }
}

const PAGE = 1000

/**
 * The unmatched records of a run's side that the filter selects: their keys read from the result file
 * page by page, then narrowed by their current state and assignee. More than MAX_BULK_RECORDS is refused.
 */
async function selectRunRecords (deps: GatewayDeps, runId: string, filter: RunFilter): Promise<{ recipeId: string, records: RecordRef[] }> {
  const run = await ask(deps, GetRun, { run_id: runId })
  const { recipe } = await ask(deps, GetRecipe, { recipe_id: run.recipe_id })
  const keys = recipe.sources[filter.side].primary_key
  const kind = filter.side === 'left' ? 'unmatched_left' : 'unmatched_right'
  const records: RecordRef[] = []
  for (let offset = 0; ; offset += PAGE) {
    const page = await readPage(deps, runId, kind, { limit: PAGE, offset })
    if (page.totalCount > MAX_BULK_RECORDS && filter.state == null && filter.assignee == null) {
      throw GatewayErrors.GATEWAY_BULK_TOO_LARGE(`Run ${runId} has ${page.totalCount} unmatched ${filter.side} records; one bulk change may touch at most ${MAX_BULK_RECORDS}. Narrow the selection with a state or assignee, or change records by key.`)
    }
    records.push(...page.rows.map((row) => ({ side: filter.side, key: keys.map((k) => keyText(row, k)) })))
    if (offset + PAGE >= page.totalCount) break
  }
  if (filter.state == null && filter.assignee == null) return { recipeId: run.recipe_id, records }
  const selected: RecordRef[] = []
  for (let i = 0; i < records.length; i += MAX_BULK_RECORDS) {
    const { exceptions } = await ask(deps, GetExceptions, { recipe_id: run.recipe_id, records: records.slice(i, i + MAX_BULK_RECORDS) })
    selected.push(...exceptions.filter((e) => (filter.state == null || e.state === filter.state) && (filter.assignee == null || e.assignee === filter.assignee)).map((e) => ({ side: e.side, key: e.key })))
  }
  if (selected.length > MAX_BULK_RECORDS) throw GatewayErrors.GATEWAY_BULK_TOO_LARGE(`The filter selects ${selected.length} records; one bulk change may touch at most ${MAX_BULK_RECORDS}.`)
  return { recipeId: run.recipe_id, records: selected }
}

function fromChange (change: ChangeInput): ExceptionChange {
  const out: ExceptionChange = {}
  if (change.state != null) out.state = change.state
  if (change.resolution != null) out.resolution = change.resolution
  if (change.assignee !== undefined) out.assignee = change.assignee
  if (change.dueDate !== undefined) out.due_date = change.dueDate
  if (change.comment != null) out.comment = change.comment
  return out
}

function toDecision (d: Decision) {
  return { decisionId: d.decision_id, recipeId: d.recipe_id, kind: d.kind, left: d.left, right: d.right, reason: d.reason, status: d.status, runId: d.run_id ?? null, createdBy: d.created_by, createdAt: d.created_at, reviewedBy: d.reviewed_by ?? null, reviewedAt: d.reviewed_at ?? null }
}

function toUpdate (u: { updated: number, exceptions: ExceptionRecord[] }) {
  return { updated: u.updated, exceptions: u.exceptions.map(toException) }
}

function toSettings (s: { recipe_id: string, four_eyes: boolean }) {
  return { recipeId: s.recipe_id, fourEyes: s.four_eyes }
}
