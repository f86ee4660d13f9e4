import pg from 'pg'
import { CodedError } from '@kalla/service'
import { scrubSecrets } from '../domain/redact.ts'
import { SourcesErrors } from '../errors.ts'
import { exactNumberType } from './exact-types.ts'
import { checkFilters } from './filters.ts'
import { SAMPLE_ROWS } from './file-reader.ts'
import { parsePostgresUri, type PostgresTarget } from './postgres-uri.ts'
import { duckdbType, previewTypes } from './postgres-types.ts'
import { ident, jsonSafeRows, type Column, type PreviewFilter } from './sql.ts'

export interface PgLimits { connectTimeoutMs: number, queryTimeoutMs: number }
interface Session { target: PostgresTarget, uri: string, alias: string, limits: PgLimits, filtered?: boolean }

/** Connects and reads the source's column list; never throws, and the message carries no credentials. */
export async function testPostgres (uri: string, alias: string, limits: PgLimits): Promise<{ ok: boolean, message: string }> {
  try {
    const session = { target: parsePostgresUri(uri, alias), uri, alias, limits }
    const count = await withClient(session, async (client) => (await client.query(`${session.target.select} LIMIT 0`)).fields.length)
    return { ok: true, message: `Connected to ${session.target.display} and read ${session.target.what} (${count} columns).` }
  } catch (error) {
    return { ok: false, message: scrubSecrets((error as Error).message, uri) }
  }
}

/** The source's columns with the types a run stages them as, without reading its rows. */
export async function postgresColumns (uri: string, alias: string, limits: PgLimits): Promise<Column[]> {
  const session = { target: parsePostgresUri(uri, alias), uri, alias, limits }
  return await withClient(session, (client) => columnsOf(client, session.target))
}

/** The first `limit` rows passing every filter, read with bound parameters in a read-only transaction. */
export async function previewPostgres (uri: string, alias: string, limits: PgLimits, limit: number, filters: readonly PreviewFilter[]): Promise<{ columns: Column[], rows: Record<string, unknown>[] }> {
  const session = { target: parsePostgresUri(uri, alias), uri, alias, limits, filtered: filters.length > 0 }
  return await withClient(session, async (client) => {
    const columns = await columnsOf(client, session.target)
    const values: unknown[] = []
    const conditions = checkFilters(alias, columns, filters).map((filter) => {
      const column = ident(filter.column)
      values.push(String(filter.value))
      return filter.op === 'contains'
        ? `strpos(lower(${column}::text), lower($${values.length}::text)) > 0`
        : `${column} ${filter.op} $${values.length}`
    })
    values.push(limit)
    const where = conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`
    const result = await client.query({ text: `SELECT * FROM (${session.target.select}) AS kalla_rows${where} LIMIT $${values.length}`, values, types: previewTypes })
    return { columns, rows: jsonSafeRows(result.rows as Record<string, unknown>[], columns) }
  })
}

async function columnsOf (client: pg.Client, target: PostgresTarget): Promise<Column[]> {
  const { fields } = await client.query(`${target.select} LIMIT 0`)
  const types = fields.map(duckdbType)
  const unconstrained = fields.filter((_, i) => types[i] === undefined).map((f) => f.name)
  const measured = unconstrained.length === 0 ? new Map<string, string>() : await measureNumerics(client, target, unconstrained)
  return fields.map((f, i) => ({ name: f.name, type: types[i] ?? measured.get(f.name) ?? 'VARCHAR' }))
}

// Unconstrained numeric has no declared scale: like the engine, type it from the values (a sample).
async function measureNumerics (client: pg.Client, target: PostgresTarget, names: string[]): Promise<Map<string, string>> {
  const parts = names.map((name) => {
    const c = ident(name)
    return `max(scale(${c})), max(length(trunc(abs(${c}))::text)), coalesce(bool_or(${c}::text ~ '[nN]'), false)`
  })
  const sample = `SELECT ${names.map(ident).join(', ')} FROM (${target.select}) AS kalla_rows LIMIT ${SAMPLE_ROWS}`
  const result = await client.query<unknown[]>({ text: `SELECT ${parts.join(', ')} FROM (${sample}) AS kalla_sample`, rowMode: 'array' })
  const row = result.rows[0] ?? []
  return new Map(names.map((name, i) => [name, exactNumberType({
    nonNumeric: false,
    leadingZero: false,
    exponent: row[i * 3 + 2] === true,
    scale: Number(row[i * 3] ?? 0),
    digits: Number(row[i * 3 + 1] ?? 0)
  })]))
}

async function withClient<T> (session: Session, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const { limits } = session
  const client = new pg.Client({
    connectionString: session.target.connectionString,
    connectionTimeoutMillis: limits.connectTimeoutMs,
    statement_timeout: limits.queryTimeoutMs,
    query_timeout: limits.queryTimeoutMs + 1000,
    application_name: 'kalla-sources'
  })
  // A connection dropped by the server must not crash the process; the query in flight fails instead.
  client.on('error', () => {})
  try {
    await client.connect()
  } catch (error) {
    await client.end().catch(() => {})
    throw connectError(error, session)
  }
  try {
    await client.query("BEGIN READ ONLY; SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL extra_float_digits = 3")
    return await work(client)
  } catch (error) {
    throw queryError(error, session)
  } finally {
    await client.end().catch(() => {})
  }
}

function connectError (error: unknown, { target, uri }: Session): CodedError {
  const code = (error as { code?: string }).code
  const detail = scrubSecrets((error as Error).message, uri)
  if (code === '28P01' || code === '28000') return SourcesErrors.SOURCES_UNREACHABLE(`The Postgres database ${target.display} refused the user name or password in the source URI: update the source with working credentials.`, error)
  if (code === '3D000') return SourcesErrors.SOURCES_UNREACHABLE(`The database ${target.display} does not exist: check the database name in the source URI.`, error)
  return SourcesErrors.SOURCES_UNREACHABLE(`Cannot connect to the Postgres database ${target.display} (${detail}): check that it is running and reachable from Kalla.`, error)
}

function queryError (error: unknown, { target, uri, limits, filtered = false }: Session): CodedError {
  if (error instanceof CodedError) return error
  const { code, message } = error as { code?: string, message?: string }
  const detail = scrubSecrets(message ?? String(error), uri)
  if (code === '42P01') return SourcesErrors.SOURCES_QUERY_FAILED(`${capital(target.what)} does not exist in ${target.display}: check the table name in the source URI.`, error)
  if (code === '42501') return SourcesErrors.SOURCES_QUERY_FAILED(`The source user may not read ${target.what} in ${target.display} (${detail}): grant it SELECT.`, error)
  if (code === '57014') return SourcesErrors.SOURCES_QUERY_FAILED(`Reading ${target.what} in ${target.display} took longer than ${limits.queryTimeoutMs} ms: narrow the filters or the source query.`, error)
  if (filtered && typeof code === 'string' && code.startsWith('22')) return SourcesErrors.SOURCES_FILTER_INVALID(`A filter value does not fit its column: ${detail}.`, error)
  if (typeof code === 'string' && /^(42|22)/.test(code)) return SourcesErrors.SOURCES_QUERY_FAILED(`Reading ${target.what} in ${target.display} failed: ${detail}.`, error)
  return SourcesErrors.SOURCES_UNREACHABLE(`Reading from the Postgres database ${target.display} failed (${detail}): try again, and check that it is reachable.`, error)
}

function capital (text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
