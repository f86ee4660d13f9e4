import { ident } from '../sql/quote.ts'

/** A result column as Postgres describes it. */
export interface PgField { name: string, dataTypeID: number, dataTypeModifier: number }

/** How one Postgres column travels: the expression COPY sends, the DuckDB type it arrives as. */
export interface ColumnPlan { name: string, pgExpression: string, duckdbType: string, exactNumber: boolean }

// OIDs from pg_type: stable across Postgres versions.
const SIMPLE: Record<number, string> = {
  16: 'BOOLEAN',
  20: 'BIGINT',
  21: 'SMALLINT',
  23: 'INTEGER',
  26: 'BIGINT',
  700: 'FLOAT',
  701: 'DOUBLE',
  1082: 'DATE',
  1083: 'TIME',
  1114: 'TIMESTAMP',
  1184: 'TIMESTAMPTZ',
  2950: 'UUID',
  25: 'VARCHAR',
  1042: 'VARCHAR',
  1043: 'VARCHAR',
  19: 'VARCHAR',
  114: 'VARCHAR',
  3802: 'VARCHAR'
}
const NUMERIC = 1700
const BYTEA = 17

/**
 * Maps a Postgres column to DuckDB exactly: numeric(p,s) stays DECIMAL(p,s), date stays DATE,
 * timestamptz stays TIMESTAMPTZ. Unconstrained numeric arrives as text and is typed exactly from
 * its values (exactNumber); anything without a DuckDB counterpart arrives as its text form.
 */
export function planColumn (field: PgField): ColumnPlan {
  const column = ident(field.name)
  if (field.dataTypeID === NUMERIC) {
    const precision = field.dataTypeModifier >= 4 ? ((field.dataTypeModifier - 4) >> 16) & 0xffff : 0
    const scale = field.dataTypeModifier >= 4 ? (field.dataTypeModifier - 4) & 0xffff : 0
    if (precision > 0 && precision <= 38) return { name: field.name, pgExpression: column, duckdbType: `DECIMAL(${precision},${scale})`, exactNumber: false }
    return { name: field.name, pgExpression: column, duckdbType: 'VARCHAR', exactNumber: true }
  }
  if (field.dataTypeID === BYTEA) return { name: field.name, pgExpression: `encode(${column}, 'hex')`, duckdbType: 'VARCHAR', exactNumber: false }
  const simple = SIMPLE[field.dataTypeID]
  if (simple !== undefined) return { name: field.name, pgExpression: column, duckdbType: simple, exactNumber: false }
  return { name: field.name, pgExpression: `${column}::text`, duckdbType: 'VARCHAR', exactNumber: false }
}
