import { lstat, mkdtemp, rm } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import type { FileFormat } from '@kalla/proto'
import { CodedError } from '@kalla/service'
import type { Storage } from '@kalla/storage'
import { withDuckdb } from '../readers/duckdb.ts'
import { detectFormat, inspectFile, type InspectedFile } from '../readers/file-reader.ts'

/** Where objects can be read as local files: in place under a local store's root, else downloaded. */
export interface ObjectFiles {
  storage: Storage
  /** The local store's root directory; unset for S3. */
  root?: string
  /** Where S3 objects are downloaded to, one temporary directory per read. */
  workDir: string
}

const FORMAT_NAMES: Record<FileFormat, string> = { csv: 'CSV', parquet: 'Parquet', json: 'JSON' }

/**
 * Runs `work` on the object's bytes as a local file. A local store's file is read in place (DuckDB
 * reads only the parts it needs); an S3 object is downloaded to a temporary directory removed after.
 */
export async function withObjectFile<T> (files: ObjectFiles, key: string, work: (path: string) => Promise<T>): Promise<T> {
  if (files.storage.kind === 'local' && files.root !== undefined) {
    const path = join(resolve(files.root), ...key.split('/'))
    const info = await lstat(path).catch(() => undefined)
    if (info?.isFile() === true) return await work(path)
  }
  const dir = await mkdtemp(join(files.workDir, 'kalla-sources-'))
  try {
    const { path } = await files.storage.download(key, join(dir, basename(key)))
    return await work(path)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * Detects the object's format (from `filename`, else its first bytes) and reads its columns with exact
 * types, then hands the open DuckDB connection to `work`. A file that is empty, of no known format or
 * unreadable is refused with the error `fail` makes, its message naming the file, never a local path.
 */
export async function withInspectedObject<T> (
  files: ObjectFiles,
  object: { key: string, filename: string },
  fail: (message: string, cause?: unknown) => CodedError,
  work: (connection: DuckDBConnection, file: InspectedFile, format: FileFormat) => Promise<T>
): Promise<T> {
  return await withObjectFile(files, object.key, async (path) => {
    if ((await lstat(path)).size === 0) throw fail(`${object.filename} is empty: upload a file with a header line and records.`)
    const format = await detectFormat(path, object.filename)
    if (format === undefined) throw fail(`${object.filename} is not a CSV, Parquet or JSON file: upload one of those formats.`)
    return await withDuckdb([path], async (connection) => {
      let file: InspectedFile
      try {
        file = await inspectFile(connection, path, format)
      } catch (error) {
        throw fail(`${object.filename} cannot be read as ${FORMAT_NAMES[format]}: ${duckdbMessage(error, path, object.filename)}. Check that the file is complete and really is ${FORMAT_NAMES[format]}.`, error)
      }
      try {
        return await work(connection, file, format)
      } catch (error) {
        if (error instanceof CodedError) throw error
        throw fail(`Reading ${object.filename} failed: ${duckdbMessage(error, path, object.filename)}.`, error)
      }
    })
  })
}

/** DuckDB's explanation in one sentence, with the local path replaced by the file's name. */
export function duckdbMessage (error: unknown, path: string, filename: string): string {
  const text = (error instanceof Error ? error.message : String(error)).split(path).join(filename)
  const first = text.replace(/^[A-Za-z ]+ Error: /, '').split('\n').map((l) => l.trim()).find((l) => l !== '') ?? 'its contents are not valid'
  return first.replace(/[.:]$/, '')
}
