import Type, { type Static } from 'typebox'

const Ms = Type.Number({ minimum: 0, description: 'Milliseconds' })

/** One line of a scenario's table: a case measured with one variant, or why it could not be. */
export const ResultRow = Type.Object({
  scenario: Type.String({ minLength: 1 }),
  case: Type.String({ minLength: 1, description: 'What was measured, e.g. "one-to-one, 1M invoices"' }),
  variant: Type.String({ minLength: 1, description: 'Who did the work, e.g. "kalla match" or "raw DuckDB"' }),
  status: Type.Enum(['ok', 'blocked', 'failed']),
  reps: Type.Integer({ minimum: 0 }),
  rows: Type.Optional(Type.Integer({ minimum: 0, description: 'Rows read (both sides)' })),
  medianMs: Type.Optional(Ms),
  minMs: Type.Optional(Ms),
  maxMs: Type.Optional(Ms),
  peakRssMb: Type.Optional(Type.Number({ minimum: 0 })),
  rowsPerSec: Type.Optional(Type.Number({ minimum: 0 })),
  /** Scenario-specific figures: latency percentiles, requests/s, stage timings. */
  metrics: Type.Optional(Type.Record(Type.String(), Type.Union([Type.Number(), Type.String()]))),
  note: Type.Optional(Type.String())
}, { additionalProperties: false })
export type ResultRow = Static<typeof ResultRow>

/** A ratio measured in the same run against its target, e.g. kalla/raw time <= 1.2. */
export const Comparison = Type.Object({
  scenario: Type.String({ minLength: 1 }),
  case: Type.String({ minLength: 1 }),
  measure: Type.String({ minLength: 1, description: 'What the value is, e.g. "time kalla / raw DuckDB"' }),
  value: Type.Union([Type.Number(), Type.Null()]),
  target: Type.String(),
  met: Type.Union([Type.Boolean(), Type.Null()]),
  detail: Type.Optional(Type.String())
}, { additionalProperties: false })
export type Comparison = Static<typeof Comparison>

export interface ScenarioResult { rows: ResultRow[], comparisons: Comparison[] }

/** A row for a scenario that could not run, with the reason in its note. */
export function blockedRow (scenario: string, reason: string, status: 'blocked' | 'failed' = 'blocked'): ResultRow {
  return { scenario, case: 'all', variant: '-', status, reps: 0, note: reason }
}

/** Checks a target of the form "<= 1.2" or ">= 0.8" against a value; "none" only reports it. */
export function compare (scenario: string, kase: string, measure: string, value: number | undefined, target: string, detail?: string): Comparison {
  const [op, limit] = target.split(' ') as [string, string]
  const known = value !== undefined && Number.isFinite(value)
  const met = !known || limit === undefined ? null : op === '<=' ? value <= Number(limit) : op === '<' ? value < Number(limit) : op === '>=' ? value >= Number(limit) : value > Number(limit)
  return { scenario, case: kase, measure, value: known ? Math.round(value * 1000) / 1000 : null, target, met, ...(detail === undefined ? {} : { detail }) }
}
