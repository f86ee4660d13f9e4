import type { SourceType } from '@kalla/proto'
import { isStorageError } from '@kalla/storage'
import { SourcesErrors } from '../errors.ts'
import { previewFile } from '../readers/file-reader.ts'
import { postgresColumns, previewPostgres, testPostgres } from '../readers/postgres-reader.ts'
import type { Column, PreviewFilter } from '../readers/sql.ts'
import type { SourcesDeps } from './deps.ts'
import { withInspectedObject } from './object-files.ts'
import { scrubSecrets } from './redact.ts'

export interface SourceAccess { alias: string, type: SourceType, uri: string }

/** Connects and reads the source's shape; answers ok or what failed, and never throws for a source that is down. */
export async function testSource (deps: SourcesDeps, source: SourceAccess): Promise<{ ok: boolean, message: string }> {
  if (source.type === 'postgres') return await testPostgres(source.uri, source.alias, deps.pg)
  if (source.type === 'file') {
    try {
      const columns = await fileColumns(deps, source)
      return { ok: true, message: `Read ${source.uri} (${columns.length} columns).` }
    } catch (error) {
      return { ok: false, message: scrubSecrets((error as Error).message, source.uri) }
    }
  }
  throw unsupported(source)
}

/** The source's columns with the types a run stages them as. */
export async function sourceColumns (deps: SourcesDeps, source: SourceAccess): Promise<Column[]> {
  if (source.type === 'postgres') return await postgresColumns(source.uri, source.alias, deps.pg)
  if (source.type === 'file') return await fileColumns(deps, source)
  throw unsupported(source)
}

/** The first `limit` rows that pass every filter, as JSON-safe values. */
export async function previewSource (deps: SourcesDeps, source: SourceAccess, limit: number, filters: readonly PreviewFilter[]): Promise<{ columns: Column[], rows: Record<string, unknown>[] }> {
  if (source.type === 'postgres') {
    return await previewPostgres(source.uri, source.alias, deps.pg, limit, filters)
  }
  if (source.type === 'file') {
    return await readFile(deps, source, async (connection, file) => {
      const rows = await previewFile(connection, source.alias, file, limit, filters)
      return { columns: file.columns, rows }
    })
  }
  throw unsupported(source)
}

async function fileColumns (deps: SourcesDeps, source: SourceAccess): Promise<Column[]> {
  return await readFile(deps, source, async (_connection, file) => file.columns)
}

async function readFile<T> (deps: SourcesDeps, source: SourceAccess, work: Parameters<typeof withInspectedObject<T>>[3]): Promise<T> {
  try {
    return await withInspectedObject(deps.files, { key: source.uri, filename: source.uri }, SourcesErrors.SOURCES_QUERY_FAILED, work)
  } catch (error) {
    if (isStorageError(error, 'STORAGE_NOT_FOUND')) throw SourcesErrors.SOURCES_UNREACHABLE(`No file is stored under ${source.uri}: upload it there, or update ${source.alias} with the right key.`, error)
    if (isStorageError(error)) throw SourcesErrors.SOURCES_UNREACHABLE(`The file of ${source.alias} cannot be read from object storage (${error.message}).`, error)
    throw error
  }
}

function unsupported (source: SourceAccess): Error {
  return SourcesErrors.SOURCES_UNSUPPORTED_TYPE(`${source.alias} is a ${source.type} source, which Kalla cannot read yet: export the data to Postgres or a file to test, introspect or preview it.`)
}
