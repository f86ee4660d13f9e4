import { EngineError } from '../errors.ts'
import { ident } from '../sql/quote.ts'

/** A Postgres source: how to connect, and the SELECT that yields its rows. */
export interface PostgresSource {
  connectionString: string
  /** Safe to show: host, port and database, never credentials. */
  display: string
  /** What the rows are, for messages: "the table sales.invoices" or "the source query". */
  what: string
  select: string
  table?: { schema?: string, name: string }
}

/**
 * Parses postgres://user:pw@host:5432/db?table=schema.table or ?query=SELECT ...
 * Other query parameters (sslmode, ...) are passed on to the driver.
 */
export function parsePostgresUri (uri: string, alias: string): PostgresSource {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    throw new EngineError('ENGINE_SOURCE_URI_INVALID', `${alias}: the Postgres URI is not valid. Use postgres://user:password@host:5432/database?table=name.`)
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new EngineError('ENGINE_SOURCE_URI_INVALID', `${alias}: a Postgres URI must start with postgres://.`)
  }
  const table = url.searchParams.get('table')
  const query = url.searchParams.get('query')
  url.searchParams.delete('table')
  url.searchParams.delete('query')
  const display = `${url.hostname}${url.port !== '' ? `:${url.port}` : ''}${url.pathname}`
  if ((table === null) === (query === null)) {
    throw new EngineError('ENGINE_SOURCE_URI_INVALID', `${alias}: the Postgres URI for ${display} must name either ?table= or ?query=, not ${table === null ? 'neither' : 'both'}.`)
  }
  if (table !== null) {
    const parts = table.split('.')
    if (parts.length > 2 || parts.some((p) => p === '')) {
      throw new EngineError('ENGINE_SOURCE_URI_INVALID', `${alias}: "${table}" is not a table name; use table or schema.table.`)
    }
    const [first, second] = parts as [string, string | undefined]
    const name = second ?? first
    const schema = second === undefined ? undefined : first
    const select = `SELECT * FROM ${schema === undefined ? '' : `${ident(schema)}.`}${ident(name)}`
    return { connectionString: url.toString(), display, what: `the table ${table}`, select, table: { schema, name } }
  }
  return { connectionString: url.toString(), display, what: 'the source query', select: `SELECT * FROM (${stripSemicolon(query ?? '')}\n) AS kalla_source` }
}

function stripSemicolon (sql: string): string {
  return sql.trim().replace(/;+\s*$/, '')
}
