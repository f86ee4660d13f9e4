import type { DuckDBConnection } from '@duckdb/node-api'
import { EngineError } from '../errors.ts'
import { ident } from '../sql/quote.ts'
import type { Column } from './columns.ts'

/**
 * Infinity and NaN are not amounts: `tolerance_match(inf, inf, 0.01)` would be true. Floating-point
 * columns of a staged table (Parquet, Postgres float, scientific notation in text) are checked in one
 * pass, and a table holding one is refused, naming the column and the first row.
 */
export async function refuseNonFiniteDoubles (connection: DuckDBConnection, table: string, columns: readonly Column[]): Promise<void> {
  const floats = columns.filter((c) => c.type === 'DOUBLE' || c.type === 'FLOAT')
  if (floats.length === 0) return
  const bad = (c: Column): string => `(isinf(${ident(c.name)}) OR isnan(${ident(c.name)}))`
  const items = floats.map((c) => `count_if(${bad(c)}), min(CASE WHEN ${bad(c)} THEN rowid END)`)
  const row = (await connection.runAndReadAll(`SELECT ${items.join(', ')} FROM ${ident(table)}`)).getRowsJS()[0] ?? []
  for (const [i, c] of floats.entries()) {
    const count = Number(row[i * 2] ?? 0)
    if (count === 0) continue
    const first = Number(row[i * 2 + 1]) + 1
    throw new EngineError('ENGINE_NON_FINITE_NUMBER', `${table}: column ${c.name} holds ${count.toLocaleString('en-US')} value${count === 1 ? '' : 's'} that ${count === 1 ? 'is' : 'are'} not a finite number (Infinity or NaN), first in record ${first.toLocaleString('en-US')}. Amounts must be finite: fix or filter those rows in the source.`, { stage: 'staging' })
  }
}
