import { createWriteStream } from 'node:fs'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type pg from 'pg'
import type { JobSource } from '@kalla/proto'
import { EngineError } from '../errors.ts'
import { CopyOutStream } from './copy-out.ts'
import { ident, literal } from '../sql/quote.ts'
import { describe } from './columns.ts'
import type { StageContext, StagedTable } from './context.ts'
import { parsePostgresUri, type PostgresSource } from './postgres-uri.ts'
import { planColumn, type ColumnPlan } from './postgres-types.ts'
import { retypeExactly } from './typing.ts'
import { blanksToNull } from './column-measure.ts'
import { limitClause } from './files.ts'
import { copyRanges, dropPart, exportSnapshot, joinSnapshot, parallelReads, planRanges, type PageRange } from './postgres-parallel.ts'

// The copy is a fraction of the staging work; DuckDB's parse of the extract is the rest.
const COPY_SHARE = 0.9

const SETTINGS = "SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL extra_float_digits = 3"

/**
 * Stages a Postgres table or query: COPY ... TO STDOUT (CSV) streams into files in the job's temp
 * directory, which DuckDB then reads with the exact column types. Rows never sit in the JS heap.
 * The read runs in one REPEATABLE READ, READ ONLY transaction: a consistent snapshot that cannot write.
 * A large table is read by several connections sharing that snapshot (postgres-parallel.ts).
 */
export async function stagePostgres (context: StageContext, source: JobSource): Promise<StagedTable> {
  const pgSource = parsePostgresUri(source.uri, source.alias)
  const clients = [await connectPostgres(pgSource, source.alias)]
  const abort = (): void => { for (const client of clients) client.connection.stream.destroy() }
  context.signal.addEventListener('abort', abort, { once: true })
  try {
    const client = clients[0]!
    await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; ${SETTINGS}`)
    const plans = await planColumns(client, pgSource, source.alias)
    const estimate = Math.min(await estimateRows(client, pgSource), source.sample_rows ?? Infinity)
    const ranges = await planRanges(client, pgSource, source.sample_rows)
    if (ranges === undefined) {
      const extract = join(context.tempDir, `${source.alias}.pg.csv`)
      await copyOut(client, pgSource, plans, extract, estimate, context, source.sample_rows)
      await loadPart(context, source.alias, extract, plans, true)
    } else {
      clients.push(...await joinReaders(client, pgSource, source.alias, Math.min(parallelReads.readers, ranges.length) - 1))
      await copyAndLoad(context, clients, pgSource, source.alias, plans, ranges, estimate)
    }
    await Promise.all(clients.map(async (c) => await c.query('COMMIT')))
    await finishLoad(context, source.alias, plans)
    const columns = await describe(context.connection, ident(source.alias))
    return { columns, typings: columns.map((c) => ({ name: c.name, type: c.type, how: 'source' as const })), blankRows: 0 }
  } catch (error) {
    if (context.signal.aborted) throw new EngineError('ENGINE_CANCELLED', 'The run was cancelled.', { stage: 'staging', cause: error })
    throw queryError(error, pgSource, source.alias)
  } finally {
    context.signal.removeEventListener('abort', abort)
    await Promise.all(clients.map(async (c) => { await c.end().catch(() => {}) }))
  }
}

/**
 * Further connections in the first one's snapshot, opened at once. A server that refuses some (its
 * max_connections reached) leaves fewer readers: the ranges are then read by those it accepted.
 */
async function joinReaders (first: pg.Client, source: PostgresSource, alias: string, count: number): Promise<pg.Client[]> {
  const snapshot = await exportSnapshot(first)
  const opened = await Promise.allSettled(Array.from({ length: count }, async () => await connectPostgres(source, alias)))
  const readers = opened.flatMap((o) => o.status === 'fulfilled' ? [o.value] : [])
  try {
    await Promise.all(readers.map(async (reader) => { await joinSnapshot(reader, snapshot, SETTINGS) }))
    return readers
  } catch (error) {
    await Promise.all(readers.map(async (c) => { await c.end().catch(() => {}) }))
    throw error
  }
}

/** Copies the ranges in parallel and loads each into DuckDB, in order, as soon as it is on disk. */
async function copyAndLoad (context: StageContext, clients: pg.Client[], source: PostgresSource, alias: string, plans: ColumnPlan[], ranges: PageRange[], estimate: number): Promise<void> {
  const copy = copyRanges(clients, source, plans, ranges, context.tempDir, alias)
  const timer = setInterval(() => context.report(Math.min(copy.rows() / estimate, 0.99) * COPY_SHARE), context.intervalMs)
  try {
    for (const [index, path] of copy.paths.entries()) {
      await copy.done(index)
      await loadPart(context, alias, path, plans, index === 0)
      await dropPart(path)
    }
    await copy.all
  } catch (error) {
    copy.stop()
    await copy.all.catch(() => {})
    throw error
  } finally {
    clearInterval(timer)
  }
  context.report(COPY_SHARE)
}

/** How long describing or previewing a Postgres source may wait; a run has its own time limit. */
export interface PostgresLimits { connectTimeoutMs?: number, queryTimeoutMs?: number }

/** A connected client; connection failures become coded errors that never show the credentials. */
export async function connectPostgres (source: PostgresSource, alias: string, limits: PostgresLimits = {}): Promise<pg.Client> {
  // Loaded when a Postgres source is read: a run over files does not pay for the driver at start-up.
  const { default: driver } = await import('pg')
  const client = new driver.Client({
    connectionString: source.connectionString,
    application_name: 'kalla',
    ...(limits.connectTimeoutMs === undefined ? {} : { connectionTimeoutMillis: limits.connectTimeoutMs }),
    ...(limits.queryTimeoutMs === undefined ? {} : { statement_timeout: limits.queryTimeoutMs, query_timeout: limits.queryTimeoutMs + 1000 })
  })
  // A connection dropped by the server must not crash the process; the query in flight fails instead.
  client.on('error', () => {})
  try {
    await client.connect()
    return client
  } catch (error) {
    await client.end().catch(() => {})
    const code = (error as { code?: string }).code
    if (code === '28P01' || code === '28000') {
      throw new EngineError('ENGINE_SOURCE_AUTH_FAILED', `${alias}: the Postgres database ${source.display} refused the user name or password in the source URI.`, { stage: 'staging', cause: error })
    }
    if (code === '3D000') {
      throw new EngineError('ENGINE_SOURCE_NOT_FOUND', `${alias}: the database ${source.display} does not exist.`, { stage: 'staging', cause: error })
    }
    throw new EngineError('ENGINE_SOURCE_UNREACHABLE', `${alias}: cannot connect to the Postgres database ${source.display} (${(error as Error).message}). Check that it is running and reachable.`, { stage: 'staging', cause: error })
  }
}

/** How each column of the source travels and the DuckDB type it arrives as, from a LIMIT 0 query. */
export async function planColumns (client: pg.Client, source: PostgresSource, alias: string): Promise<ColumnPlan[]> {
  const result = await client.query({ text: `${source.select} LIMIT 0` })
  if (result.fields.length === 0) {
    throw new EngineError('ENGINE_SOURCE_QUERY_FAILED', `${alias}: the Postgres source ${source.display} returns no columns.`, { stage: 'staging' })
  }
  return result.fields.map(planColumn)
}

/** The planner's estimate of the source's row count (at least 1). */
export async function estimateRows (client: pg.Client, source: PostgresSource): Promise<number> {
  const result = await client.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(`EXPLAIN (FORMAT JSON) ${source.select}`)
  return Math.max(1, result.rows[0]?.['QUERY PLAN'][0].Plan['Plan Rows'] ?? 1)
}

async function copyOut (client: pg.Client, source: PostgresSource, plans: ColumnPlan[], path: string, estimate: number, context: StageContext, sampleRows?: number): Promise<void> {
  const select = plans.map((p) => p.pgExpression).join(', ')
  const copy = client.query(new CopyOutStream(`COPY (SELECT ${select} FROM (${source.select}) AS kalla_rows${limitClause(sampleRows)}) TO STDOUT WITH (FORMAT csv)`))
  const timer = setInterval(() => context.report(Math.min(copy.rows / estimate, 0.99) * COPY_SHARE), context.intervalMs)
  try {
    await pipeline(copy, createWriteStream(path))
  } finally {
    clearInterval(timer)
  }
  context.report(COPY_SHARE)
}

/**
 * Loads one CSV extract (or the first of several, `first`, which creates the table) with the planned types.
 * Empty and spaces-only text is NULL, as in every format Kalla reads (COPY quotes an empty string, so
 * allowing quoted NULLs turns it into one).
 */
export async function loadPart (context: Pick<StageContext, 'connection'>, alias: string, path: string, plans: ColumnPlan[], first: boolean): Promise<void> {
  const columns = plans.map((p) => `${literal(p.name)}: ${literal(p.duckdbType)}`).join(', ')
  const read = `SELECT * FROM read_csv(${literal(path)}, header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = true, columns = {${columns}})`
  await context.connection.run(first ? `CREATE TABLE ${ident(alias)} AS ${read}` : `INSERT INTO ${ident(alias)} ${read}`)
}

/** Once every row is in: blank text to NULL, and unconstrained numerics typed exactly. */
export async function finishLoad (context: Pick<StageContext, 'connection'>, alias: string, plans: ColumnPlan[]): Promise<void> {
  await blanksToNull(context.connection, alias, plans.filter((p) => p.duckdbType === 'VARCHAR' && !p.exactNumber).map((p) => p.name))
  await retypeExactly(context.connection, alias, plans.filter((p) => p.exactNumber).map((p) => p.name))
}

/** A failed Postgres query as a coded error naming the source, never its credentials. */
export function queryError (error: unknown, source: PostgresSource, alias: string): EngineError {
  if (error instanceof EngineError) return error
  const pgError = error as { code?: string, message?: string }
  if (pgError.code === '42P01') {
    const what = source.table !== undefined ? source.what : 'a table in the source query'
    return new EngineError('ENGINE_SOURCE_NOT_FOUND', `${alias}: ${what} does not exist in ${source.display}.`, { stage: 'staging', cause: error })
  }
  if (pgError.code === '57014') {
    return new EngineError('ENGINE_TIMEOUT', `${alias}: reading ${source.what} in ${source.display} took longer than allowed.`, { stage: 'staging', cause: error })
  }
  if (pgError.code === '42501') {
    return new EngineError('ENGINE_SOURCE_AUTH_FAILED', `${alias}: the source user may not read from ${source.display} (${pgError.message}).`, { stage: 'staging', cause: error })
  }
  if (typeof pgError.code === 'string' && /^(42|22)/.test(pgError.code)) {
    return new EngineError('ENGINE_SOURCE_QUERY_FAILED', `${alias}: the Postgres source query failed: ${pgError.message}.`, { stage: 'staging', cause: error })
  }
  return new EngineError('ENGINE_SOURCE_UNREACHABLE', `${alias}: reading from ${source.display} failed (${pgError.message ?? String(error)}).`, { stage: 'staging', cause: error })
}
