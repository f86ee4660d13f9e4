import { describeSource, previewSource as enginePreview, type Column, type InspectOptions, type PreviewFilter, type SourceSpec } from '@kalla/engine'
import type { SourceType } from '@kalla/proto'
import { isStorageError } from '@kalla/storage'
import { SourcesErrors } from '../errors.ts'
import type { SourcesDeps } from './deps.ts'
import { engineMessage, fromEngine } from './engine-errors.ts'
import { withObjectFile } from './object-files.ts'

export interface SourceAccess { alias: string, type: SourceType, uri: string }

/** Connects and reads the source's shape; answers ok or what failed, and never throws for a source that is down. */
export async function testSource (deps: SourcesDeps, source: SourceAccess): Promise<{ ok: boolean, message: string }> {
  try {
    const described = await read(deps, source, (spec) => describeSource(spec, options(deps)))
    const message = source.type === 'file'
      ? `Read ${source.uri} (${described.columns.length} columns).`
      : `Connected to ${described.location.display} and read ${described.location.what} (${described.columns.length} columns).`
    return { ok: true, message }
  } catch (error) {
    return { ok: false, message: error instanceof Error ? engineMessage(error, source) : String(error) }
  }
}

/** The source's columns with the types a run stages them as (the engine's describe). */
export async function sourceColumns (deps: SourcesDeps, source: SourceAccess): Promise<Column[]> {
  return (await read(deps, source, (spec) => describeSource(spec, options(deps)))).columns
}

/** The first `limit` rows that pass every filter, typed as a run types them, as JSON-safe values. */
export async function previewSource (deps: SourcesDeps, source: SourceAccess, limit: number, filters: readonly PreviewFilter[]): Promise<{ columns: Column[], rows: Record<string, unknown>[] }> {
  return await read(deps, source, (spec) => enginePreview(spec, { limit, filters }, options(deps)))
}

function options (deps: SourcesDeps): InspectOptions {
  return { workDir: deps.files.workDir, ...deps.pg }
}

/** Runs an engine read on the source: a database or cluster URI as it is, a file source's object as a local file. */
async function read<T> (deps: SourcesDeps, source: SourceAccess, work: (spec: SourceSpec) => Promise<T>): Promise<T> {
  try {
    if (source.type !== 'file') return await work({ type: source.type, uri: source.uri, alias: source.alias })
    return await withObjectFile(deps.files, source.uri, (path) => work({ type: 'file', uri: path, alias: source.alias, name: source.uri }))
  } catch (error) {
    if (isStorageError(error, 'STORAGE_NOT_FOUND')) throw SourcesErrors.SOURCES_UNREACHABLE(`No file is stored under ${source.uri}: upload it there, or update ${source.alias} with the right key.`, error)
    if (isStorageError(error)) throw SourcesErrors.SOURCES_UNREACHABLE(`The file of ${source.alias} cannot be read from object storage (${error.message}).`, error)
    throw fromEngine(error, source, SourcesErrors.SOURCES_QUERY_FAILED)
  }
}
