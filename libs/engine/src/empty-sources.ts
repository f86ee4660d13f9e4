import type { DuckDBConnection } from '@duckdb/node-api'
import { ident } from './sql/quote.ts'
import type { StagedSource } from './stage/index.ts'

const HELD = '__kalla_empty_'

/**
 * A source with no records (a month without payments) has nothing to type its text columns from, and a
 * VARCHAR column would refuse to bind with the other side's numbers or dates. While the match SQL is
 * checked and run, such a source is a view of the same name over its empty table whose text columns are
 * NULL, which binds with any type; columns typed by the recipe keep their type. No pair can come of an
 * empty side, so every record of the other side is unmatched. Returns what puts the table back.
 * @example const restore = await standInForEmptySources(connection, staged); try { ...match... } finally { await restore() }
 */
export async function standInForEmptySources (connection: DuckDBConnection, staged: readonly StagedSource[]): Promise<() => Promise<void>> {
  const empty = staged.filter((s) => s.rows === 0)
  for (const source of empty) {
    const held = ident(`${HELD}${source.alias}`)
    const columns = source.columns.map((c) => `${c.type === 'VARCHAR' ? 'NULL' : `CAST(NULL AS ${c.type})`} AS ${ident(c.name)}`)
    await connection.run(`ALTER TABLE ${ident(source.alias)} RENAME TO ${held}`)
    await connection.run(`CREATE VIEW ${ident(source.alias)} AS SELECT ${columns.join(', ')} FROM ${held}`)
  }
  return async () => {
    for (const source of empty) {
      await connection.run(`DROP VIEW ${ident(source.alias)}`)
      await connection.run(`ALTER TABLE ${ident(`${HELD}${source.alias}`)} RENAME TO ${ident(source.alias)}`)
    }
  }
}
