import type { DuckDBConnection } from '@duckdb/node-api'
import type { FileEncoding, JobSource } from '@kalla/proto'
import type { FractionReporter } from '../progress.ts'
import type { ColumnTyping } from './column-typing.ts'
import type { Column } from './columns.ts'

/** What a stager gets: the job's sandboxed connection, its temp dir and a progress reporter. */
export interface StageContext {
  connection: DuckDBConnection
  tempDir: string
  intervalMs: number
  signal: AbortSignal
  report: FractionReporter
}

/** A table a stager loaded: its columns, how each got its type, and what reading skipped. */
export interface StagedTable {
  columns: Column[]
  typings: ColumnTyping[]
  /** Records whose every field was empty, left out. */
  blankRows: number
  /** A text file's encoding, as detected or set. */
  encoding?: FileEncoding
}

/** A source loaded into DuckDB as a table named after its alias. */
export interface StagedSource extends StagedTable {
  alias: string
  side: JobSource['side']
  rows: number
}

export type Stager = (context: StageContext, source: JobSource) => Promise<StagedTable>
