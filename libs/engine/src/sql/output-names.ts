import type { DuckDBConnection } from '@duckdb/node-api'
import { describe, type Column } from '../stage/columns.ts'
import { ident, literal } from './quote.ts'

interface AstNode { [key: string]: unknown }
interface FromRef { name: string, table: string }

/** The matched output's columns and the SQL that returns them under those names. */
export interface NamedOutput { sql: string, output: Column[] }

/**
 * Gives each column whose name the matched output repeats the alias of the source it comes from as a
 * prefix: `SELECT i.*, p.*` with `currency` on both sides returns invoices_currency and
 * payments_currency, so such SQL runs unchanged. The SQL is wrapped to rename by position. Columns
 * whose source cannot be told (a computed value) keep their name, and the repetition stays a problem.
 * @example await nameRepeatedColumns(connection, 'SELECT i.*, p.* FROM invoices i JOIN payments p ON ...', output, ['invoices', 'payments'])
 */
export async function nameRepeatedColumns (connection: DuckDBConnection, sql: string, output: Column[], aliases: readonly string[]): Promise<NamedOutput> {
  const count = new Map<string, number>()
  for (const c of output) count.set(c.name.toLowerCase(), (count.get(c.name.toLowerCase()) ?? 0) + 1)
  if (![...count.values()].some((n) => n > 1)) return { sql, output }
  const origins = await columnOrigins(connection, sql)
  if (origins === undefined || origins.length !== output.length) return { sql, output }
  // A repeated name is prefixed only when every column that has it comes from a table.
  const unknown = new Set(output.filter((_, i) => origins[i] === undefined).map((c) => c.name.toLowerCase()))
  const named = output.map((c, i) => {
    const origin = origins[i]
    if ((count.get(c.name.toLowerCase()) ?? 0) < 2 || origin === undefined || unknown.has(c.name.toLowerCase())) return c
    const alias = aliases.find((a) => a.toLowerCase() === origin.toLowerCase()) ?? origin
    return { ...c, name: `${alias}_${c.name}` }
  })
  if (new Set(named.map((c) => c.name.toLowerCase())).size !== named.length) return { sql, output }
  return { sql: `SELECT * FROM (${sql}\n) AS kalla_match(${named.map((c) => ident(c.name)).join(', ')})`, output: named }
}

// The table (source or WITH name) each output column is read from, in output order; undefined where
// the SQL is not one plain SELECT. A computed column has no origin.
async function columnOrigins (connection: DuckDBConnection, sql: string): Promise<(string | undefined)[] | undefined> {
  const parsed = JSON.parse(await scalar(connection, `SELECT json_serialize_sql(${literal(sql)})`)) as AstNode
  const node = (parsed.statements as AstNode[] | undefined)?.[0]?.node as AstNode | undefined
  if (parsed.error === true || node?.type !== 'SELECT_NODE') return undefined
  const refs = fromRefs(node.from_table)
  const table = (name: string): string | undefined => refs.find((r) => r.name.toLowerCase() === name.toLowerCase())?.table
  const origins: (string | undefined)[] = []
  for (const item of node.select_list as AstNode[]) {
    if (item.class === 'STAR' && item.expr == null && item.columns !== true) {
      const relation = String(item.relation_name ?? '')
      const parts = relation !== '' ? [{ name: relation, item }] : refs.map((r) => ({ name: r.name, item: { ...item, relation_name: r.name } }))
      const counts = await Promise.all(parts.map((p) => columnCount(connection, parsed, node, p.item)))
      const total = relation !== '' ? counts[0] : await columnCount(connection, parsed, node, item)
      // USING and NATURAL joins merge columns under an unqualified *: their origins are not one table.
      if (total === undefined || counts.some((n) => n === undefined) || counts.reduce<number>((a, b) => a + (b ?? 0), 0) !== total) return undefined
      parts.forEach((p, i) => origins.push(...Array<string | undefined>(counts[i]!).fill(table(p.name))))
    } else if (item.class === 'STAR') {
      return undefined
    } else {
      const names = item.class === 'COLUMN_REF' ? item.column_names as string[] : []
      origins.push(names.length === 2 && item.alias === '' ? table(names[0]!) : undefined)
    }
  }
  return origins
}

function fromRefs (from: unknown): FromRef[] {
  const n = from as AstNode | null | undefined
  if (n == null) return []
  if (n.type === 'JOIN') return [...fromRefs(n.left), ...fromRefs(n.right)]
  const alias = typeof n.alias === 'string' ? n.alias : ''
  if (n.type === 'BASE_TABLE') return [{ name: alias !== '' ? alias : String(n.table_name), table: String(n.table_name) }]
  return alias !== '' ? [{ name: alias, table: alias }] : []
}

// How many columns one select-list item gives, by describing the SELECT with only that item.
async function columnCount (connection: DuckDBConnection, parsed: AstNode, node: AstNode, item: AstNode): Promise<number | undefined> {
  const statement = { ...(parsed.statements as AstNode[])[0], node: { ...node, select_list: [item], modifiers: [] } }
  try {
    const sql = await scalar(connection, `SELECT json_deserialize_sql(${literal(JSON.stringify({ ...parsed, statements: [statement] }))})`)
    return (await describe(connection, `${sql}\n`)).length
  } catch {
    return undefined
  }
}

async function scalar (connection: DuckDBConnection, sql: string): Promise<string> {
  return String((await connection.runAndReadAll(sql)).getRowsJS()[0]?.[0])
}
