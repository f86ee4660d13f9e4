import type { DuckDBConnection } from '@duckdb/node-api'
import { ident } from './sql.ts'

// Mirrors libs/engine/src/stage/typing.ts, so that the columns shown for a file or a Postgres
// numeric are the types a run will stage them as. The engine does not export these rules yet.
const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/

/** True for the types a text reader guesses for numbers; Kalla re-types those columns exactly. */
export function isGuessedNumber (type: string): boolean {
  return NUMERIC.test(type)
}

export interface NumberShape { nonNumeric: boolean, leadingZero: boolean, exponent: boolean, scale: number, digits: number }

/**
 * The exact type of a number-like text column, from the shape of its values: leading zeros or any
 * non-number keep it text, whole numbers are BIGINT, decimals DECIMAL with the largest scale seen,
 * exponents (and numbers too long for DECIMAL(38)) DOUBLE.
 */
export function exactNumberType (shape: NumberShape): string {
  if (shape.nonNumeric || shape.leadingZero) return 'VARCHAR'
  if (shape.exponent) return 'DOUBLE'
  if (shape.scale === 0) return shape.digits <= 18 ? 'BIGINT' : shape.digits <= 38 ? 'DECIMAL(38,0)' : 'DOUBLE'
  const precision = shape.digits + shape.scale
  if (precision <= 18) return `DECIMAL(18,${shape.scale})`
  return precision <= 38 ? `DECIMAL(38,${shape.scale})` : 'DOUBLE'
}

/** Measures text columns of `relation` (a table or parenthesised subquery) in one pass. */
export async function measureTextNumbers (connection: DuckDBConnection, relation: string, columns: readonly string[]): Promise<NumberShape[]> {
  const parts = columns.map((column) => {
    const v = `trim(${ident(column)})`
    return [
      `bool_or(${v} <> '' AND TRY_CAST(${v} AS DOUBLE) IS NULL)`,
      `bool_or(regexp_matches(${v}, '^[-+]?0[0-9]'))`,
      `bool_or(regexp_matches(${v}, '[eEnN]'))`,
      `coalesce(max(CASE WHEN strpos(${v}, '.') > 0 THEN length(${v}) - strpos(${v}, '.') ELSE 0 END), 0)`,
      `coalesce(max(length(split_part(ltrim(${v}, '-+'), '.', 1))), 0)`
    ].join(', ')
  })
  const reader = await connection.runAndReadAll(`SELECT ${parts.join(', ')} FROM ${relation} AS kalla_sample`)
  const row = reader.getRowsJS()[0] ?? []
  return columns.map((_, i) => ({
    nonNumeric: row[i * 5] === true,
    leadingZero: row[i * 5 + 1] === true,
    exponent: row[i * 5 + 2] === true,
    scale: Number(row[i * 5 + 3] ?? 0),
    digits: Number(row[i * 5 + 4] ?? 0)
  }))
}
