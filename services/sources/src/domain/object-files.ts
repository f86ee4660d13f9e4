import { lstat, mkdtemp, rm } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { describeSource, detectFileFormat, isEngineError, type Column } from '@kalla/engine'
import type { FileFormat, SourceOptions } from '@kalla/proto'
import type { CodedError } from '@kalla/service'
import type { Storage } from '@kalla/storage'
import { fromEngine } from './engine-errors.ts'

/** Where objects can be read as local files: in place under a local store's root, else downloaded. */
export interface ObjectFiles {
  storage: Storage
  /** The local store's root directory; unset for S3. */
  root?: string
  /** Where S3 objects are downloaded to, one temporary directory per read. */
  workDir: string
}

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
 * The object's format (from `filename`, else its first bytes) and its columns with the types a run
 * gives them, from the engine. A file that is empty, of no known format or unreadable is refused with
 * the error `fail` makes, its message naming the file, never a local path. With `options` (a recipe
 * source's), the file is read as that source reads it: its delimiter, encoding, header row, sheet and column types.
 */
export async function describeObject (
  files: ObjectFiles,
  object: { key: string, filename: string },
  fail: (message: string, cause?: unknown) => CodedError,
  options?: SourceOptions
): Promise<{ format: FileFormat, columns: Column[] }> {
  return await withObjectFile(files, object.key, async (path) => {
    const spec = { type: 'file' as const, uri: path, name: object.filename, alias: FILE_ALIAS, ...(options === undefined ? {} : { options }) }
    try {
      const described = await describeSource(spec, { workDir: files.workDir })
      return { format: described.format ?? 'csv', columns: described.columns }
    } catch (error) {
      throw fromEngine(error, { alias: FILE_ALIAS, uri: '' }, fail)
    }
  })
}

// What a recipe source's file options (delimiter, encoding, header_row) can put right.
const OPTIONS_MAY_READ = new Set(['ENGINE_FILE_MALFORMED', 'ENGINE_FILE_ENCODING'])

/**
 * Like describeObject, for a file just uploaded: a CSV text that cannot be read without options (title
 * lines above its header whose fields do not line up, an encoding that is not detected) is kept with no
 * columns, so that a run can read it with its recipe source's options. Other unreadable files are refused.
 */
export async function describeUploadedObject (
  files: ObjectFiles,
  object: { key: string, filename: string },
  fail: (message: string, cause?: unknown) => CodedError
): Promise<{ format: FileFormat, columns: Column[] }> {
  try {
    return await describeObject(files, object, fail)
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause
    if (!isEngineError(cause) || !OPTIONS_MAY_READ.has(cause.code)) throw error
    const format = await withObjectFile(files, object.key, async (path) => await detectFileFormat(path, object.filename).catch(() => undefined))
    if (format !== 'csv') throw error
    return { format, columns: [] }
  }
}

// The engine starts its messages with the source's name; an upload has none yet.
const FILE_ALIAS = 'upload'
