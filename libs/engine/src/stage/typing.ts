import type { DuckDBConnection } from '@duckdb/node-api'
import { ident } from '../sql/quote.ts'

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/

// A plain decimal as exported data almost always writes it: optional sign, no leading zero, no spaces.
const PLAIN = String.raw`[-+]?(0|[1-9][0-9]*)(\.[0-9]+)?`

/** True for the types a text reader guesses for numbers; Kalla re-types those columns exactly. */
export function isGuessedNumber (type: string): boolean {
  return NUMERIC.test(type)
}

/** What the values of a number-like text column look like, over every row. */
export interface Shape { plain: boolean, nonNumeric: boolean, leadingZero: boolean, exponent: boolean, scale: number, digits: number }

/**
 * Re-types number-like text columns of a staged table exactly, in place:
 * - digits with leading zeros (account numbers, "00042") stay text, so keys keep their zeros;
 * - whole numbers become BIGINT (or DECIMAL(38,0) when longer than 18 digits);
 * - decimals become DECIMAL with the largest scale seen, so 100.02 stays exactly 100.02, never a float;
 * - scientific notation, or numbers too long for DECIMAL(38), become DOUBLE;
 * - a column with any non-number stays text.
 * Only the re-typed columns are rewritten (ALTER ... USING), not a copy of the whole table.
 */
export async function retypeExactly (connection: DuckDBConnection, table: string, textNumberColumns: readonly string[]): Promise<void> {
  if (textNumberColumns.length === 0) return
  const shapes = await measure(connection, ident(table), textNumberColumns)
  for (const [i, column] of textNumberColumns.entries()) {
    const shape = shapes[i]!
    const type = chooseType(shape)
    if (type === 'VARCHAR') continue
    const value = shape.plain ? ident(column) : `trim(${ident(column)})`
    await connection.run(`ALTER TABLE ${ident(table)} ALTER COLUMN ${ident(column)} SET DATA TYPE ${type} USING CAST(${value} AS ${type})`)
  }
}

/**
 * The types retypeExactly would give the text columns of `relation` (a table, a table function or a
 * parenthesised query), measured over every row without changing anything.
 */
export async function exactTypes (connection: DuckDBConnection, relation: string, textNumberColumns: readonly string[]): Promise<string[]> {
  if (textNumberColumns.length === 0) return []
  return (await measure(connection, relation, textNumberColumns)).map(chooseType)
}

/** The exact type for a column of that shape (see retypeExactly). */
export function chooseType (shape: Shape): string {
  if (shape.nonNumeric || shape.leadingZero) return 'VARCHAR'
  if (shape.exponent) return 'DOUBLE'
  if (shape.scale === 0) return shape.digits <= 18 ? 'BIGINT' : shape.digits <= 38 ? 'DECIMAL(38,0)' : 'DOUBLE'
  const precision = shape.digits + shape.scale
  if (precision <= 18) return `DECIMAL(18,${shape.scale})`
  return precision <= 38 ? `DECIMAL(38,${shape.scale})` : 'DOUBLE'
}

// Two passes at most: a cheap one that settles columns whose every value is a plain decimal (one
// regular expression and string positions, no trimming), and the thorough one for the other columns.
async function measure (connection: DuckDBConnection, relation: string, columns: readonly string[]): Promise<Shape[]> {
  const shapes = await measurePlain(connection, relation, columns)
  const rest = columns.filter((_, i) => shapes[i] === undefined)
  const thorough = rest.length === 0 ? [] : await measureThoroughly(connection, relation, rest)
  return columns.map((column, i) => shapes[i] ?? thorough[rest.indexOf(column)]!)
}

async function measurePlain (connection: DuckDBConnection, relation: string, columns: readonly string[]): Promise<(Shape | undefined)[]> {
  const inner = columns.map((column, i) => `${ident(column)} AS v${i}, strpos(${ident(column)}, '.') AS d${i}`)
  const parts = columns.map((_, i) => [
    `coalesce(bool_and(regexp_full_match(v${i}, '${PLAIN}')), true)`,
    `coalesce(max(CASE WHEN d${i} > 0 THEN length(v${i}) - d${i} ELSE 0 END), 0)`,
    `coalesce(max(CASE WHEN d${i} > 0 THEN d${i} - 1 ELSE length(v${i}) END - CASE WHEN prefix(v${i}, '-') OR prefix(v${i}, '+') THEN 1 ELSE 0 END), 0)`
  ].join(', '))
  const reader = await connection.runAndReadAll(`SELECT ${parts.join(', ')} FROM (SELECT ${inner.join(', ')} FROM ${relation} AS kalla_measured)`)
  const row = reader.getRowsJS()[0] ?? []
  return columns.map((_, i) => row[i * 3] !== true
    ? undefined
    : { plain: true, nonNumeric: false, leadingZero: false, exponent: false, scale: Number(row[i * 3 + 1] ?? 0), digits: Number(row[i * 3 + 2] ?? 0) })
}

async function measureThoroughly (connection: DuckDBConnection, relation: string, columns: readonly string[]): Promise<Shape[]> {
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
  const reader = await connection.runAndReadAll(`SELECT ${parts.join(', ')} FROM ${relation} AS kalla_measured`)
  const row = reader.getRowsJS()[0] ?? []
  return columns.map((_, i) => ({
    plain: false,
    nonNumeric: row[i * 5] === true,
    leadingZero: row[i * 5 + 1] === true,
    exponent: row[i * 5 + 2] === true,
    scale: Number(row[i * 5 + 3] ?? 0),
    digits: Number(row[i * 5 + 4] ?? 0)
  }))
}
