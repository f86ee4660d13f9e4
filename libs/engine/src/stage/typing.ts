import type { DuckDBConnection } from '@duckdb/node-api'
import { ident } from '../sql/quote.ts'

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/

/** True for the types a text reader guesses for numbers; Kalla re-types those columns exactly. */
export function isGuessedNumber (type: string): boolean {
  return NUMERIC.test(type)
}

interface Shape { nonNumeric: boolean, leadingZero: boolean, exponent: boolean, scale: number, digits: number }

/**
 * Chooses exact types for number-like text columns of a raw staged table, in one pass:
 * - digits with leading zeros (account numbers, "00042") stay text, so keys keep their zeros;
 * - whole numbers become BIGINT (or DECIMAL(38,0) when longer than 18 digits);
 * - decimals become DECIMAL with the largest scale seen, so 100.02 stays exactly 100.02, never a float;
 * - scientific notation, or numbers too long for DECIMAL(38), become DOUBLE;
 * - a column with any non-number stays text.
 * Returns a SELECT list that converts the raw table into the typed one.
 */
export async function exactTypesSelect (connection: DuckDBConnection, table: string, textNumberColumns: readonly string[], allColumns: readonly string[]): Promise<string> {
  if (textNumberColumns.length === 0) return '*'
  const shapes = await measure(connection, table, textNumberColumns)
  const casts = new Map<string, string>()
  textNumberColumns.forEach((column, i) => {
    const type = chooseType(shapes[i]!)
    if (type !== 'VARCHAR') casts.set(column, `CAST(trim(${ident(column)}) AS ${type}) AS ${ident(column)}`)
  })
  return allColumns.map((c) => casts.get(c) ?? ident(c)).join(', ')
}

function chooseType (shape: Shape): string {
  if (shape.nonNumeric || shape.leadingZero) return 'VARCHAR'
  if (shape.exponent) return 'DOUBLE'
  if (shape.scale === 0) return shape.digits <= 18 ? 'BIGINT' : shape.digits <= 38 ? 'DECIMAL(38,0)' : 'DOUBLE'
  const precision = shape.digits + shape.scale
  if (precision <= 18) return `DECIMAL(18,${shape.scale})`
  return precision <= 38 ? `DECIMAL(38,${shape.scale})` : 'DOUBLE'
}

async function measure (connection: DuckDBConnection, table: string, columns: readonly string[]): Promise<Shape[]> {
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
  const reader = await connection.runAndReadAll(`SELECT ${parts.join(', ')} FROM ${ident(table)}`)
  const row = reader.getRowsJS()[0] ?? []
  return columns.map((_, i) => ({
    nonNumeric: row[i * 5] === true,
    leadingZero: row[i * 5 + 1] === true,
    exponent: row[i * 5 + 2] === true,
    scale: Number(row[i * 5 + 3] ?? 0),
    digits: Number(row[i * 5 + 4] ?? 0)
  }))
}
