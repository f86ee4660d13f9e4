import type pg from 'pg'

/** A result column as Postgres describes it. */
export interface PgField { name: string, dataTypeID: number, dataTypeModifier: number }

// OIDs from pg_type, stable across Postgres versions; the names are those the engine stages them as
// (libs/engine/src/stage/postgres-types.ts).
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
  2950: 'UUID'
}
export const NUMERIC_OID = 1700

/**
 * The DuckDB type a run stages a Postgres column as: numeric(p,s) is DECIMAL(p,s), date is DATE,
 * anything without a counterpart VARCHAR. Unconstrained numeric is typed from its values, so it
 * answers undefined here (see measureNumerics).
 */
export function duckdbType (field: PgField): string | undefined {
  if (field.dataTypeID === NUMERIC_OID) {
    const precision = field.dataTypeModifier >= 4 ? ((field.dataTypeModifier - 4) >> 16) & 0xffff : 0
    const scale = field.dataTypeModifier >= 4 ? (field.dataTypeModifier - 4) & 0xffff : 0
    return precision > 0 && precision <= 38 ? `DECIMAL(${precision},${scale})` : undefined
  }
  return SIMPLE[field.dataTypeID] ?? 'VARCHAR'
}

const NUMBER_OIDS = new Set([21, 23, 26, 700, 701])
const JSON_OIDS = new Set([114, 3802])
const TEXT = (value: string): string => value

/**
 * How preview values are parsed: small numbers and booleans natively, JSON as JSON, everything else
 * (numeric, bigint, dates, timestamps, arrays) as Postgres's own exact text, so nothing is rounded
 * or shifted by a time zone on the way.
 */
export const previewTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number) => {
    if (NUMBER_OIDS.has(oid)) return Number
    if (oid === 16) return (value: string) => value === 't'
    if (JSON_OIDS.has(oid)) return (value: string) => JSON.parse(value) as unknown
    return TEXT
  }) as pg.CustomTypesConfig['getTypeParser']
}
