import type { FileEncoding, FileFormat, SourceOptions, SourceType } from '@kalla/proto'
import type { EngineOptions } from '../options.ts'
import type { PostgresLimits } from '../stage/postgres.ts'
import type { Column } from '../stage/columns.ts'
import type { ColumnTyping } from '../stage/column-typing.ts'

/** A source to describe or preview, read where it is: a local file or a Postgres table or query. */
export interface SourceSpec {
  type: SourceType
  /** A local path (or file:// URL) for a file source; postgres://...?table= or ?query= for Postgres. */
  uri: string
  /** Names the source in messages ("invoices: ..."); defaults to "source". */
  alias?: string
  /** The file's format; detected from `name` or its first bytes when absent. */
  format?: FileFormat
  /** The file's name as the user knows it, when stored under another; defaults to the path's last part. */
  name?: string
  /** How the source is read (the recipe source's options): encoding, delimiter, header row, a workbook's sheet, column types and formats. */
  options?: SourceOptions
}

/** How describing and previewing may use the machine and a database. */
export interface InspectOptions extends EngineOptions, PostgresLimits {}

/** A source's columns with the exact types a run gives them, and its size when that is cheap to know. */
export interface SourceDescription {
  columns: Column[]
  /** Rows: exact for Parquet (from its metadata), the planner's estimate for Postgres; absent for text files. */
  rows?: { count: number, exact: boolean }
  /** A file source's format. */
  format?: FileFormat
  /** Where the source lives and what it reads, safe to show: "127.0.0.1:5432/erp", "the table invoices". */
  location: { display: string, what: string }
  /** How each column got its type (detected from its values, set by an option, or declared by the source) and how its values are written. */
  typings?: ColumnTyping[]
  /** Why columns that look like numbers or dates stay text, and which option to set: "Amount: stays text: ...". */
  notes?: string[]
  /** A text file's encoding, as detected or set. */
  encoding?: FileEncoding
}

/** One preview condition: `column op value`; values are always bound as parameters. */
export interface PreviewFilter { column: string, op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'contains', value: string | number | boolean }

/** The first rows of a source, typed as a run types them, as plain JSON values. */
export interface SourcePreview { columns: Column[], rows: Record<string, unknown>[], notes?: string[] }

export const DEFAULT_ALIAS = 'source'
