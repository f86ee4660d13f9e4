import type { ColumnType } from 'kysely'
import type { FileFormat, SourceType } from '@kalla/proto'

export interface StoredColumn { name: string, type: string }

/** One row per registered source; the URI is only ever stored sealed (see domain/secret-box.ts). */
export interface SourcesTable {
  alias: string
  type: SourceType
  uri_sealed: string
  columns: ColumnType<StoredColumn[], string, string>
  created_at: ColumnType<Date, Date | undefined, never>
  updated_at: Date
}

/** One row per uploaded file until it expires; the object itself lives in storage under `key`. */
export interface UploadsTable {
  upload_id: string
  filename: string
  format: FileFormat
  columns: ColumnType<StoredColumn[], string, string>
  // bigint: the driver returns it as a string.
  size_bytes: ColumnType<string, number, number>
  key: string
  /** `<kind>:<subject>` of the caller the gateway identified; null for uploads recorded before owners were kept. */
  uploaded_by: ColumnType<string | null, string | null | undefined, never>
  created_at: Date
  expires_at: Date
}

export interface SourcesDatabase {
  sources: SourcesTable
  uploads: UploadsTable
}
