import type { FileEncoding, RunCompleted } from '@kalla/proto'
import type { StagedSource } from './stage/index.ts'

/** One column of a staged source: its type, how it got it, and how its values were written. */
export interface ColumnSummary {
  name: string
  /** The DuckDB type, e.g. `DECIMAL(18,2)`, `DATE`, `VARCHAR`. */
  type: string
  /** `detected` from every value, `option` from the recipe, `source` when the source declares it (Parquet, Postgres, Excel cells). */
  typed?: 'detected' | 'option' | 'source'
  /** How the values were written: `1.234,56`, `31/01/2026`, or the date_format the recipe set (`%d.%m.%Y`). */
  format?: string
  /** Why a column that looks like numbers or dates stays text, and which option to set. */
  note?: string
}

/** What staging one side read: rows, records skipped as blank, the encoding, and how each column was typed. */
export interface SourceSummary {
  alias: string
  side: 'left' | 'right'
  rows: number
  blank_rows_skipped: number
  encoding?: FileEncoding
  primary_key: string[]
  columns: ColumnSummary[]
  /** `Column: note` for every column with a note. */
  notes: string[]
}

/** What `runJob` resolves to: the completion (as the run's event carries it) and what each side read. */
export interface RunResult extends RunCompleted {
  sources: SourceSummary[]
}

/** The completion alone, as `RunCompleted` carries it on the bus, without the per-side summaries. */
export function runCompletion (result: RunResult | RunCompleted): RunCompleted {
  const { sources: _sources, ...completed } = result as RunResult
  return completed
}

/**
 * One side in summary.json and in the run's result: rows read and records skipped as blank, and per
 * column its type and how it got it (detected from its values, set by the recipe, or declared by the
 * source), with notes on columns that stay text though they look like numbers or dates.
 */
export function sourceSummary (s: StagedSource, primaryKey: string[]): SourceSummary {
  const typings = new Map(s.typings.map((t) => [t.name, t]))
  return {
    alias: s.alias,
    side: s.side,
    rows: s.rows,
    blank_rows_skipped: s.blankRows,
    ...(s.encoding === undefined ? {} : { encoding: s.encoding }),
    primary_key: primaryKey,
    columns: s.columns.map((c) => {
      const t = typings.get(c.name)
      return { name: c.name, type: c.type, ...(t === undefined ? {} : { typed: t.how, ...(t.format === undefined ? {} : { format: t.format }), ...(t.note === undefined ? {} : { note: t.note }) }) }
    }),
    notes: s.typings.filter((t) => t.note !== undefined).map((t) => `${t.name}: ${t.note!}`)
  }
}
