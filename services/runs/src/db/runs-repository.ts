import { sql, type CompiledQuery, type Kysely, type Selectable } from 'kysely'
import { TERMINAL_STATUSES, type Job, type Run, type RunCompleted, type RunFailed, type RunProgress, type RunStatus } from '@kalla/proto'
import type { RunsDatabase, RunsTable } from './tables.ts'

export type RunsDb = Kysely<RunsDatabase>
const TERMINAL = [...TERMINAL_STATUSES]

type Timestamp = 'created_at' | 'started_at' | 'finished_at' | 'updated_at'
type Stamped<Row> = Omit<Row, Timestamp> & { created_at: Date | string, updated_at: Date | string, started_at: Date | string | null, finished_at: Date | string | null }
type RunRow = Stamped<Pick<Selectable<RunsTable>, typeof PLAIN_COLUMNS[number] | Timestamp>>

// Postgres writes a timestamp as toISOString() would (UTC, milliseconds, truncated as a JS Date is): for a
// listed run, parsing four timestamps into Dates and formatting them back cost more than anything else.
function isoText<C extends Timestamp> (column: C) {
  return sql<C extends 'created_at' | 'updated_at' ? string : string | null>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`.as(column)
}

/** Every column a run shows; the stored job (large, only needed to dispatch) is not among them. */
const PLAIN_COLUMNS = ['run_id', 'recipe_id', 'status', 'stage', 'source', 'progress', 'matched_count', 'matched_left', 'matched_right', 'unmatched_left_count', 'unmatched_right_count', 'total_left', 'total_right', 'error_code', 'error_message', 'error_stage', 'outputs'] as const
const RUN_COLUMNS = [...PLAIN_COLUMNS, isoText('created_at'), isoText('started_at'), isoText('finished_at'), isoText('updated_at')]

export async function insertRun (db: RunsDb, run: { run_id: string, recipe_id: string, job: Job }): Promise<Run> {
  const row = await db.insertInto('runs')
    .values({ run_id: run.run_id, recipe_id: run.recipe_id, status: 'submitted', job: JSON.stringify(run.job), updated_at: new Date(), outputs: null, stage: null, source: null, progress: null, matched_count: null, matched_left: null, matched_right: null, unmatched_left_count: null, unmatched_right_count: null, total_left: null, total_right: null, error_code: null, error_message: null, error_stage: null, started_at: null, finished_at: null })
    .returningAll().executeTakeFirstOrThrow()
  return toRun(row)
}

export async function findRun (db: RunsDb, runId: string): Promise<(Run & { job: Job }) | undefined> {
  const row = await db.selectFrom('runs').selectAll().where('run_id', '=', runId).executeTakeFirst()
  return row === undefined ? undefined : { ...toRun(row), job: row.job }
}

// Building and compiling GetRun's query cost more than Postgres' lookup, on every call: it is compiled once
// per database handle, its one parameter being the run id.
const getRunQueries = new WeakMap<RunsDb, CompiledQuery<RunRow>>()

/** A run as shown, without its stored job. */
export async function getRun (db: RunsDb, runId: string): Promise<Run | undefined> {
  let query = getRunQueries.get(db)
  if (query === undefined) {
    query = db.selectFrom('runs').select(RUN_COLUMNS).where('run_id', '=', '').compile()
    if (query.parameters.length !== 1) throw new Error('GetRun\'s query must have the run id as its only parameter')
    getRunQueries.set(db, query)
  }
  const withId: CompiledQuery<RunRow> = { ...query, parameters: [runId] }
  const [row] = (await db.executeQuery(withId)).rows
  return row === undefined ? undefined : toRun(row)
}

export async function listRuns (db: RunsDb, filter: { recipe_id?: string, status?: RunStatus, limit: number, offset: number }): Promise<Run[]> {
  let query = db.selectFrom('runs').select(RUN_COLUMNS)
  if (filter.recipe_id !== undefined) query = query.where('recipe_id', '=', filter.recipe_id)
  if (filter.status !== undefined) query = query.where('status', '=', filter.status)
  const rows = await query.orderBy('created_at', 'desc').orderBy('run_id', 'desc').limit(filter.limit).offset(filter.offset).execute()
  return rows.map(toRun)
}

/** Progress moves a live run forward; late or duplicate progress for a finished run changes nothing. */
export async function applyProgress (db: RunsDb, event: RunProgress): Promise<boolean> {
  const at = new Date(event.at)
  const result = await db.updateTable('runs')
    .set((eb) => ({
      status: event.stage,
      stage: event.stage,
      source: event.source ?? null,
      progress: event.progress,
      matched_count: event.matched_count,
      total_left: event.total_left,
      total_right: event.total_right,
      started_at: eb.fn.coalesce('started_at', eb.val(at)),
      updated_at: at
    }))
    .where('run_id', '=', event.run_id).where('status', 'not in', TERMINAL).where('updated_at', '<=', at)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

export async function applyCompleted (db: RunsDb, event: RunCompleted): Promise<boolean> {
  const at = new Date(event.at)
  const result = await db.updateTable('runs')
    .set((eb) => ({
      status: 'completed',
      stage: 'writing_results',
      progress: 1,
      matched_count: event.matched_count,
      matched_left: event.matched_left,
      matched_right: event.matched_right,
      unmatched_left_count: event.unmatched_left_count,
      unmatched_right_count: event.unmatched_right_count,
      total_left: event.total_left,
      total_right: event.total_right,
      outputs: JSON.stringify(event.outputs),
      started_at: eb.fn.coalesce('started_at', eb.val(at)),
      finished_at: at,
      updated_at: at
    }))
    .where('run_id', '=', event.run_id).where('status', 'not in', TERMINAL)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/** A failure ends a live run; ENGINE_CANCELLED ends it as cancelled. */
export async function applyFailed (db: RunsDb, event: Pick<RunFailed, 'run_id' | 'code' | 'message' | 'stage' | 'at'>): Promise<boolean> {
  const at = new Date(event.at)
  const status: RunStatus = event.code === 'ENGINE_CANCELLED' || event.code === 'RUNS_CANCELLED' ? 'cancelled' : 'failed'
  const result = await db.updateTable('runs')
    .set({ status, error_code: event.code, error_message: event.message, error_stage: event.stage, finished_at: at, updated_at: at })
    .where('run_id', '=', event.run_id).where('status', 'not in', TERMINAL)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/** Runs not finished, oldest first, with when they last changed: for re-dispatch and stall checks. */
export async function unfinishedRuns (db: RunsDb): Promise<(Run & { job: Job })[]> {
  const rows = await db.selectFrom('runs').selectAll().where('status', 'not in', TERMINAL).orderBy('created_at').execute()
  return rows.map((row) => ({ ...toRun(row), job: row.job }))
}

const COUNTS = ['matched_count', 'matched_left', 'matched_right', 'unmatched_left_count', 'unmatched_right_count', 'total_left', 'total_right'] as const

// Called for every run of every list: fields are set one by one (absent ones left out, as the contract
// wants), without building and filtering an intermediate object per row.
function toRun (row: RunRow): Run {
  const run: Run = {
    run_id: row.run_id,
    recipe_id: row.recipe_id,
    status: row.status,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at)
  }
  if (row.stage !== null) run.stage = row.stage as Run['stage']
  if (row.source !== null) run.source = row.source
  if (row.progress !== null) run.progress = row.progress
  for (const key of COUNTS) {
    const value = row[key]
    if (value !== null) run[key] = Number(value)
  }
  if (row.error_code !== null) run.error = { code: row.error_code, message: row.error_message ?? '', stage: (row.error_stage ?? 'dispatch') as NonNullable<Run['error']>['stage'] }
  if (row.outputs !== null) run.outputs = row.outputs as Run['outputs']
  if (row.started_at !== null) run.started_at = iso(row.started_at)
  if (row.finished_at !== null) run.finished_at = iso(row.finished_at)
  return run
}

function iso (value: Date | string): string {
  return typeof value === 'string' ? value : value.toISOString()
}
