import { EngineError } from '../../errors.ts'

/** A field of a BigQuery table or query schema, as the REST API describes it. */
export interface BigQueryField { name: string, type: string, mode?: string, precision?: string, scale?: string, fields?: BigQueryField[] }

/** How one BigQuery column arrives: its DuckDB type, and its REST text turned into text DuckDB reads exactly. */
export interface FieldPlan { name: string, duckdbType: string, text: (value: string) => string }

const AS_IS = (value: string): string => value
const SIMPLE: Record<string, string> = {
  STRING: 'VARCHAR',
  JSON: 'VARCHAR',
  GEOGRAPHY: 'VARCHAR',
  INTERVAL: 'VARCHAR',
  INTEGER: 'BIGINT',
  INT64: 'BIGINT',
  FLOAT: 'DOUBLE',
  FLOAT64: 'DOUBLE',
  BOOLEAN: 'BOOLEAN',
  BOOL: 'BOOLEAN',
  DATE: 'DATE',
  TIME: 'TIME'
}
// DuckDB's DECIMAL holds at most 38 digits.
const MAX_PRECISION = 38

/**
 * Plans every column exactly: NUMERIC and BIGNUMERIC keep their declared precision and scale (NUMERIC
 * is DECIMAL(38,9) unless declared narrower), INT64 is BIGINT from its digits, TIMESTAMP is TIMESTAMPTZ
 * from its microseconds, DATETIME is TIMESTAMP, BYTES is hex text (as Postgres bytea is). REPEATED
 * and RECORD fields, and BIGNUMERIC wider than 38 digits, are refused naming the column.
 */
export function planFields (fields: readonly BigQueryField[], alias: string, display: string): FieldPlan[] {
  if (fields.length === 0) {
    throw new EngineError('ENGINE_SOURCE_QUERY_FAILED', `${alias}: the BigQuery source ${display} has no columns.`, { stage: 'staging' })
  }
  return fields.map((field) => planField(field, alias))
}

function planField (field: BigQueryField, alias: string): FieldPlan {
  const type = field.type.toUpperCase()
  if (field.mode?.toUpperCase() === 'REPEATED') throw refused(alias, field.name, `a REPEATED (array) ${type} field`, `flatten it with UNNEST(${field.name})`)
  if (type === 'RECORD' || type === 'STRUCT') throw refused(alias, field.name, 'a RECORD (STRUCT) field', `select its parts as columns (${field.name}.part AS ${field.name}_part)`)
  if (type === 'RANGE') throw refused(alias, field.name, 'a RANGE field', `select RANGE_START(${field.name}) and RANGE_END(${field.name}) as columns`)
  if (type === 'NUMERIC' || type === 'DECIMAL') return decimal(field, alias, 38, 9)
  if (type === 'BIGNUMERIC' || type === 'BIGDECIMAL') return decimal(field, alias, 76, 38)
  if (type === 'TIMESTAMP') return { name: field.name, duckdbType: 'TIMESTAMP WITH TIME ZONE', text: microsToUtc }
  if (type === 'DATETIME') return { name: field.name, duckdbType: 'TIMESTAMP', text: (v) => v.replace('T', ' ') }
  if (type === 'BYTES') return { name: field.name, duckdbType: 'VARCHAR', text: (v) => Buffer.from(v, 'base64').toString('hex') }
  const simple = SIMPLE[type]
  if (simple === undefined) throw refused(alias, field.name, `of the type ${type}, which Kalla does not read`, `CAST(${field.name} AS STRING)`)
  return { name: field.name, duckdbType: simple, text: AS_IS }
}

function decimal (field: BigQueryField, alias: string, defaultPrecision: number, defaultScale: number): FieldPlan {
  const scale = field.scale === undefined ? (field.precision === undefined ? defaultScale : 0) : Number(field.scale)
  const precision = field.precision === undefined ? defaultPrecision : Number(field.precision)
  if (precision > MAX_PRECISION) {
    const declared = field.precision === undefined ? `${field.type} (${precision} digits, ${scale} after the point)` : `${field.type}(${precision}, ${scale})`
    throw refused(alias, field.name, `declared ${declared}, wider than the ${MAX_PRECISION} digits Kalla computes exactly`, `declare it BIGNUMERIC(P, S) with P at most ${MAX_PRECISION}, or read it with ?query= as CAST(${field.name} AS NUMERIC)`)
  }
  return { name: field.name, duckdbType: `DECIMAL(${precision},${scale})`, text: AS_IS }
}

const MICROS_PER_MS = 1000n

/** BigQuery's TIMESTAMP as int64 microseconds since the epoch -> '2024-01-31 10:00:00.123456+00'. */
export function microsToUtc (value: string): string {
  const micros = BigInt(value)
  let ms = micros / MICROS_PER_MS
  let rest = micros % MICROS_PER_MS
  if (rest < 0n) { rest += MICROS_PER_MS; ms -= 1n }
  const iso = new Date(Number(ms)).toISOString()
  const [date, time] = [iso.slice(0, iso.indexOf('T')), iso.slice(iso.indexOf('T') + 1, -1)]
  return `${date} ${time}${String(rest).padStart(3, '0')}+00`
}

function refused (alias: string, column: string, what: string, fix: string): EngineError {
  return new EngineError('ENGINE_SOURCE_TYPE_UNSUPPORTED', `${alias}: the column ${column} is ${what}. Read the source with ?query= and ${fix}.`, { stage: 'staging' })
}
