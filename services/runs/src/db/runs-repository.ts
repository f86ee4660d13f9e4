import { sql, type CompiledQuery, type Kysely, type Selectable } from 'kysely'
import { TERMINAL_STATUSES, type Job, type Run, type RunStatus } from '@kalla/proto'
import { RunsErrors } from '../errors.ts'
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
const PLAIN_COLUMNS = ['run_id', 'recipe_id', 'status', 'stage', 'source', 'progress', 'matched_count', 'matched_left', 'matched_right', 'unmatched_left_count', 'unmatched_right_count', 'total_left', 'total_right', 'error_code', 'error_message', 'error_stage', 'outputs', 'decision_counts', 'explain_summary'] as const
const RUN_COLUMNS = [...PLAIN_COLUMNS, isoText('created_at'), isoText('started_at'), isoText('finished_at'), isoText('updated_at')]

/** Records a new run (see newRun in proto) with the job it was queued with. */
export async function insertRun (db: RunsDb, run: Run, job: Job): Promise<Run> {
  const row = await db.insertInto('runs')
    .values({ ...toRow(run), run_id: run.run_id, recipe_id: run.recipe_id, job: JSON.stringify(job), created_at: new Date(run.created_at) })
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

// Beyond this many writers racing for one run, the change is handed back to its caller to retry later.
const MAX_WRITE_ATTEMPTS = 25

/**
 * Changes one run: reads it, applies `change`, and writes the result only if the row still holds what was
 * read (`updated_at`, which every change moves strictly forward, is the row's version); otherwise reads
 * again. Recorders on other replicas, the cancel endpoint and the stall sweep can race without losing a
 * change, no lock is held between round trips, and it works the same on PGlite's single connection.
 * Returns the new run, or undefined when the run is missing or `change` returns undefined.
 */
export async function updateRun (db: RunsDb, runId: string, change: (run: Run) => Run | undefined): Promise<Run | undefined> {
  for (let attempt = 1; ; attempt++) {
    const row = await db.selectFrom('runs').selectAll().where('run_id', '=', runId).executeTakeFirst()
    const next = row === undefined ? undefined : change(toRun(row))
    if (row === undefined || next === undefined) return undefined
    // Compared at the millisecond precision the row was read with.
    const written = await db.updateTable('runs').set(toRow(next))
      .where('run_id', '=', runId).where(sql<Date>`date_trunc('milliseconds', updated_at)`, '=', row.updated_at)
      .executeTakeFirst()
    if (Number(written.numUpdatedRows) > 0) return next
    if (attempt >= MAX_WRITE_ATTEMPTS) throw RunsErrors.RUNS_WRITE_CONFLICT(`Run ${runId} kept changing while it was being recorded; try again.`)
  }
}

/** Runs not finished, oldest first, with when they last changed: for re-dispatch and stall checks. */
export async function unfinishedRuns (db: RunsDb): Promise<(Run & { job: Job })[]> {
  const rows = await db.selectFrom('runs').selectAll().where('status', 'not in', TERMINAL).orderBy('created_at').execute()
  return rows.map((row) => ({ ...toRun(row), job: row.job }))
}

// Every column a run's state is kept in; created_at and the job never change.
function toRow (run: Run) {
  return {
    status: run.status,
    stage: run.stage ?? null,
    source: run.source ?? null,
    progress: run.progress ?? null,
    matched_count: run.matched_count ?? null,
    matched_left: run.matched_left ?? null,
    matched_right: run.matched_right ?? null,
    unmatched_left_count: run.unmatched_left_count ?? null,
    unmatched_right_count: run.unmatched_right_count ?? null,
    total_left: run.total_left ?? null,
    total_right: run.total_right ?? null,
    error_code: run.error?.code ?? null,
    error_message: run.error?.message ?? null,
    error_stage: run.error?.stage ?? null,
    outputs: run.outputs === undefined ? null : JSON.stringify(run.outputs),
    decision_counts: run.decisions === undefined ? null : JSON.stringify(run.decisions),
    explain_summary: run.explain === undefined ? null : JSON.stringify(run.explain),
    started_at: run.started_at === undefined ? null : new Date(run.started_at),
    finished_at: run.finished_at === undefined ? null : new Date(run.finished_at),
    updated_at: new Date(run.updated_at)
  }
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
  if (row.decision_counts !== null) run.decisions = row.decision_counts
  if (row.explain_summary !== null) run.explain = row.explain_summary
  if (row.started_at !== null) run.started_at = iso(row.started_at)
  if (row.finished_at !== null) run.finished_at = iso(row.finished_at)
  return run
}

function iso (value: Date | string): string {
  return typeof value === 'string' ? value : value.toISOString()
}
