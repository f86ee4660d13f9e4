import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import { HELPERS } from '@kalla/engine'
import type { Problem } from '@kalla/proto'
import { ProblemCodes } from '../errors.ts'
import type { KnownColumn } from './source-columns.ts'

export interface OutputColumn { name: string, type: string }
export interface BindSide { alias: string, columns: KnownColumn[] }

/** The output columns of the match SQL when it binds; the problem when it cannot. Neither when unsure. */
export interface Bound { output?: OutputColumn[], problem?: Problem }

/** How a column of unknown type (a file schema's) is declared for one binding attempt. */
type Typing = (name: string) => string

// An untyped NULL takes whatever type its use needs, so most SQL binds at the first attempt. Functions
// with several signatures (date_trunc) cannot choose for it, so dates and then text are tried as well.
const TYPINGS: readonly Typing[] = [
  () => 'NULL',
  (name) => /date|day|month|period|time|_at$|_on$/i.test(name) ? 'CAST(NULL AS DATE)' : 'NULL',
  () => 'CAST(NULL AS VARCHAR)'
]

// Errors about types, which say nothing when a column's type is only a guess.
const TYPE_ERROR = /No function matches|Could not choose a best candidate|Cannot compare|Conversion Error|Cannot mix|implicit(ly)? cast|explicit (type )?cast|Cannot apply/i

const TYPE_NAME = /^[A-Za-z][A-Za-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?(\[\])*$/

/**
 * Binds the match SQL, without running it, against empty tables that have each source's columns, in a
 * throwaway DuckDB with the engine's SQL helpers and no file or network access. Unknown columns and
 * tables are reported with DuckDB's message; type errors only when every column's type is known.
 */
export async function bindMatchSql (sql: string, sides: readonly BindSide[]): Promise<Bound> {
  const instance = await DuckDBInstance.create(':memory:', { enable_external_access: 'false', autoload_known_extensions: 'false', autoinstall_known_extensions: 'false', threads: '1' })
  const connection = await instance.connect()
  try {
    for (const helper of Object.values(HELPERS)) await connection.run(helper.sql)
    const types = await usableTypes(connection, sides)
    await connection.run('SET lock_configuration = true')
    const allTyped = sides.every((side) => side.columns.every((c) => types.has(c.type ?? '')))
    for (const typing of allTyped ? TYPINGS.slice(0, 1) : TYPINGS) {
      if (!await createTables(connection, sides, types, typing)) return {}
      try {
        return { output: await describe(connection, sql) }
      } catch (error) {
        const message = bindMessage(error)
        if (allTyped || !TYPE_ERROR.test(message)) return { problem: { code: ProblemCodes.SQL_INVALID, message: `The match SQL cannot run: ${message}`, path: '/match_sql' } }
      }
    }
    return {}
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

/** The declared types DuckDB understands; a type it does not know is treated as unknown. */
async function usableTypes (connection: DuckDBConnection, sides: readonly BindSide[]): Promise<Set<string>> {
  const usable = new Set<string>()
  const declared = new Set(sides.flatMap((s) => s.columns.map((c) => c.type)).filter((t): t is string => t !== undefined && TYPE_NAME.test(t)))
  for (const type of declared) {
    try {
      await connection.run(`SELECT CAST(NULL AS ${type})`)
      usable.add(type)
    } catch {}
  }
  return usable
}

async function createTables (connection: DuckDBConnection, sides: readonly BindSide[], types: Set<string>, typing: Typing): Promise<boolean> {
  try {
    for (const side of sides) {
      const columns = side.columns.map((c) => `${c.type !== undefined && types.has(c.type) ? `CAST(NULL AS ${c.type})` : typing(c.name)} AS ${ident(c.name)}`)
      await connection.run(`CREATE OR REPLACE VIEW ${ident(side.alias)} AS SELECT ${columns.join(', ')} FROM (SELECT 1) AS kalla_empty(x) WHERE false`)
    }
    return true
  } catch {
    // Repeated or unusable column names: already a recipe problem, and nothing to bind against.
    return false
  }
}

async function describe (connection: DuckDBConnection, sql: string): Promise<OutputColumn[]> {
  // The SQL was parsed as exactly one statement; a final ';' (and comments after it) must go before embedding.
  const select = sql.replace(/;(\s|--[^\n]*|\/\*[\s\S]*?\*\/)*$/, '')
  const reader = await connection.runAndReadAll(`DESCRIBE ${select}\n`)
  return reader.getRowObjectsJson().map((row) => ({ name: String(row.column_name), type: String(row.column_type) }))
}

/** DuckDB's message without its class prefix, the echoed SQL or candidate lists; the empty tables read as tables. */
function bindMessage (error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text
    .replace(/^[A-Za-z ]+ Error: /, '')
    .replace(/\n\s*LINE \d+:[\s\S]*$/, '')
    .replace(/\n\s*Candidate functions:[\s\S]*$/, '')
    .replace(/Values list "/g, 'Table "')
    .replace(/\s*\n\s*/g, ' ')
    .trim()
    .replace(/([^.!?])$/, '$1.')
}

function ident (name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
