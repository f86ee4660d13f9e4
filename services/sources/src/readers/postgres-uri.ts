import { SourcesErrors } from '../errors.ts'
import { ident } from './sql.ts'

/** A Postgres source: how to connect, and the SELECT that yields its rows. */
export interface PostgresTarget {
  connectionString: string
  /** Safe to show: host, port and database, never credentials. */
  display: string
  /** What the rows are: "the table x" or "the source query". */
  what: string
  select: string
}

/**
 * Parses postgres://user:pw@host:5432/db?table=schema.table or ?query=SELECT ... (the engine's form).
 * Other query parameters (sslmode, ...) are passed on to the driver.
 */
export function parsePostgresUri (uri: string, alias: string): PostgresTarget {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    throw SourcesErrors.SOURCES_URI_INVALID(`The URI of ${alias} is not valid: use postgres://user:password@host:5432/database?table=name.`)
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw SourcesErrors.SOURCES_URI_INVALID(`The URI of ${alias} must start with postgres:// for a postgres source.`)
  }
  const table = url.searchParams.get('table')
  const query = url.searchParams.get('query')
  url.searchParams.delete('table')
  url.searchParams.delete('query')
  const display = `${url.hostname}${url.port !== '' ? `:${url.port}` : ''}${url.pathname}`
  if ((table === null) === (query === null)) {
    throw SourcesErrors.SOURCES_URI_INVALID(`The URI of ${alias} (${display}) must name either ?table= or ?query=, not ${table === null ? 'neither' : 'both'}.`)
  }
  if (table !== null) {
    const parts = table.split('.')
    if (parts.length > 2 || parts.some((p) => p === '')) {
      throw SourcesErrors.SOURCES_URI_INVALID(`The URI of ${alias} names the table "${table}": use table or schema.table.`)
    }
    return { connectionString: url.toString(), display, what: `the table ${table}`, select: `SELECT * FROM ${parts.map(ident).join('.')}` }
  }
  const sql = (query ?? '').trim().replace(/;+\s*$/, '')
  return { connectionString: url.toString(), display, what: 'the source query', select: `SELECT * FROM (${sql}\n) AS kalla_source` }
}
