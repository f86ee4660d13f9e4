import type pg from 'pg'
import { planColumn, type PgField } from '@kalla/engine'

export type { PgField }

export const NUMERIC_OID = 1700

/**
 * The DuckDB type a run stages a Postgres column as (the engine's mapping): numeric(p,s) is
 * DECIMAL(p,s), date is DATE. Unconstrained numeric is typed from its values, so it answers undefined.
 */
export function duckdbType (field: PgField): string | undefined {
  const plan = planColumn(field)
  return plan.exactNumber ? undefined : plan.duckdbType
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
