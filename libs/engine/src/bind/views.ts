import type { DuckDBConnection } from '@duckdb/node-api'
import { ident } from '../sql/quote.ts'

/** A column the match SQL may use; a file schema names its columns without types. */
export interface BindColumn { name: string, type?: string }

/** How a column of unknown type is declared for one binding attempt. */
export type Typing = (name: string) => string

// An untyped NULL takes whatever type its use needs, so most SQL binds at the first attempt. Functions
// with several signatures (date_trunc) cannot choose for it, so dates and then text are tried as well.
export const TYPINGS: readonly Typing[] = [
  () => 'NULL',
  (name) => /date|day|month|period|time|_at$|_on$/i.test(name) ? 'CAST(NULL AS DATE)' : 'NULL',
  () => 'CAST(NULL AS VARCHAR)'
]

const TYPE_NAME = /^[A-Za-z][A-Za-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?(\[\])*$/

/** The declared types DuckDB understands; a type it does not know is treated as unknown. */
export async function usableTypes (connection: DuckDBConnection, columns: readonly BindColumn[]): Promise<Set<string>> {
  const usable = new Set<string>()
  const declared = new Set(columns.map((c) => c.type).filter((t): t is string => t !== undefined && TYPE_NAME.test(t)))
  for (const type of declared) {
    try {
      await connection.run(`SELECT CAST(NULL AS ${type})`)
      usable.add(type)
    } catch {}
  }
  return usable
}

/** Empty views named after the sources, with their columns; false when the columns cannot make one. */
export async function createViews (connection: DuckDBConnection, sides: readonly { alias: string, columns: readonly BindColumn[] }[], types: Set<string>, typing: Typing): Promise<boolean> {
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

/** DuckDB's message without its class prefix, the echoed SQL or candidate lists; the empty views read as tables. */
export function bindMessage (error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text
    .replace(/^[A-Za-z ]+ Error: /, '')
    .replace(/\n\s*LINE \d+:[\s\S]*$/, '')
    .replace(/\n\s*Candidate (functions|bindings|tables):[\s\S]*$/, '')
    .replace(/Values list "/g, 'Table "')
    .replace(/\s*\n\s*/g, ' ')
    .trim()
    .replace(/([^.!?])$/, '$1.')
}
