import type { DuckDBConnection } from '@duckdb/node-api'
import type { JobSource } from '@kalla/proto'
import type { FractionReporter } from '../progress.ts'
import type { Column } from './columns.ts'

/** What a stager gets: the job's sandboxed connection, its temp dir and a progress reporter. */
export interface StageContext {
  connection: DuckDBConnection
  tempDir: string
  intervalMs: number
  signal: AbortSignal
  report: FractionReporter
}

/** A source loaded into DuckDB as a table named after its alias. */
export interface StagedSource {
  alias: string
  side: JobSource['side']
  columns: Column[]
  rows: number
}

export type Stager = (context: StageContext, source: JobSource) => Promise<Column[]>
