import type { DuckDBConnection } from '@duckdb/node-api'
import { literal } from './quote.ts'

/** The tables a query's FROM clauses name, by every name they go by (alias or own name, lower case). */
export async function tableNames (connection: DuckDBConnection, sql: string): Promise<Map<string, string>> {
  const reader = await connection.runAndReadAll(`SELECT json_serialize_sql(${literal(sql)}) AS ast`)
  const names = new Map<string, string>()
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) { node.forEach(visit); return }
    if (node === null || typeof node !== 'object') return
    const n = node as Record<string, unknown>
    if (n.type === 'BASE_TABLE' && typeof n.table_name === 'string') {
      names.set(n.table_name.toLowerCase(), n.table_name)
      if (typeof n.alias === 'string' && n.alias !== '') names.set(n.alias.toLowerCase(), n.table_name)
    }
    Object.values(n).forEach(visit)
  }
  visit(JSON.parse(String(reader.getRows()[0]?.[0])))
  return names
}
