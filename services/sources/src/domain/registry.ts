import { redactUri, scrubSecrets, type RegisteredSource, type RequestOf, type ResolveSource, type ResponseOf, type Source, type SourceType } from '@kalla/proto'
import { CodedError } from '@kalla/service'
import { isValidKey } from '@kalla/storage'
import { deleteSource, findSource, insertSource, listSources, updateSource, type SourceRow } from '../db/sources-repository.ts'
import { SourcesErrors } from '../errors.ts'
import { checkSourceUri, type Column } from '@kalla/engine'
import type { SourcesDeps } from './deps.ts'
import { sourceColumns } from './inspect-source.ts'
import { engineMessage } from './engine-errors.ts'

/**
 * Registers a source under a new alias. Its columns are read now when the source answers; an
 * unreachable source is still registered, with no columns, so it can be fixed and tested later, and the
 * answer says why it could not be read (`problem`: the coded reason, no credentials).
 */
export async function registerSource (deps: SourcesDeps, request: { alias: string, type: SourceType, uri: string }): Promise<RegisteredSource> {
  checkUri(request.type, request.uri, request.alias)
  if (await findSource(deps.db, request.alias) !== undefined) throw alreadyExists(request.alias)
  const { columns, problem } = await columnsIfReachable(deps, request)
  const row = await insertSource(deps.db, { alias: request.alias, type: request.type, uri_sealed: deps.secrets.seal(request.uri, context(request.alias)), columns })
  if (row === undefined) throw alreadyExists(request.alias)
  deps.log.info({ alias: row.alias, type: row.type, columns: columns.length }, 'source registered')
  return { ...toSource(deps, row), ...(problem === undefined ? {} : { problem }) }
}

/** Changes a source's type and/or URI and reads its columns again. */
export async function changeSource (deps: SourcesDeps, request: { alias: string, type?: SourceType, uri?: string }): Promise<RegisteredSource> {
  const current = await requireSource(deps, request.alias)
  const type = request.type ?? current.type
  const uri = request.uri ?? openUri(deps, current)
  checkUri(type, uri, current.alias)
  const { columns, problem } = await columnsIfReachable(deps, { alias: current.alias, type, uri })
  const row = await updateSource(deps.db, current.alias, { type, uri_sealed: deps.secrets.seal(uri, context(current.alias)), columns })
  if (row === undefined) throw notFound(request.alias)
  deps.log.info({ alias: row.alias, type: row.type, columns: columns.length }, 'source updated')
  return { ...toSource(deps, row), ...(problem === undefined ? {} : { problem }) }
}

export async function getSource (deps: SourcesDeps, alias: string): Promise<Source> {
  return toSource(deps, await requireSource(deps, alias))
}

export async function allSources (deps: SourcesDeps): Promise<Source[]> {
  return (await listSources(deps.db)).map((row) => toSource(deps, row))
}

/**
 * Removes a source no saved recipe uses; one in use is refused with SOURCES_IN_USE naming the recipes,
 * since their runs would fail. A recipe saved between the check and the removal is not seen.
 */
export async function removeSource (deps: SourcesDeps, alias: string): Promise<{ removed: boolean }> {
  const row = await findSource(deps.db, alias)
  if (row === undefined) return { removed: false }
  const using = await deps.recipesUsing(row.alias)
  if (using.length > 0) {
    const names = using.map((r) => `"${r.name}" (${r.recipe_id})`).join(', ')
    const one = using.length === 1
    throw SourcesErrors.SOURCES_IN_USE(`${row.alias} is used by the saved recipe${one ? '' : 's'} ${names}: point ${one ? 'it' : 'them'} at another source or delete ${one ? 'it' : 'them'}, then remove ${row.alias}.`)
  }
  const removed = await deleteSource(deps.db, row.alias)
  if (removed) deps.log.info({ alias }, 'source removed')
  return { removed }
}

/** The source with its real URI, for this service's own reads; never for showing or sending. */
export async function resolveSource (deps: SourcesDeps, alias: string): Promise<{ alias: string, type: SourceType, uri: string }> {
  const row = await requireSource(deps, alias)
  return { alias: row.alias, type: row.type, uri: openUri(deps, row) }
}

/**
 * ResolveSource: answers only a request proven with KALLA_RESOLVE_KEY (a worker about to connect), and
 * then with the URI sealed to that request, so the bus never carries a credential in clear.
 */
export async function resolveForWorker (deps: SourcesDeps, request: RequestOf<typeof ResolveSource>): Promise<ResponseOf<typeof ResolveSource>> {
  if (!deps.access.verify(request)) {
    deps.log.warn({ alias: request.alias }, 'a ResolveSource request without a valid proof was refused')
    throw SourcesErrors.SOURCES_RESOLVE_FORBIDDEN('ResolveSource answers only the matcher and recipes services: the request must be proven with KALLA_RESOLVE_KEY, and be recent.')
  }
  const source = await resolveSource(deps, request.alias)
  deps.log.info({ alias: source.alias }, 'source resolved for a worker')
  return deps.access.seal(request, source)
}

/** The stored source with its decrypted URI. */
export async function requireSource (deps: SourcesDeps, alias: string): Promise<SourceRow> {
  const row = await findSource(deps.db, alias)
  if (row === undefined) throw notFound(alias)
  return row
}

/** The stored URI in clear; refused when the configured key cannot open it (a changed key, a tampered row). */
export function openUri (deps: SourcesDeps, row: SourceRow): string {
  try {
    return deps.secrets.open(row.uri_sealed, context(row.alias))
  } catch (error) {
    throw SourcesErrors.SOURCES_URI_UNREADABLE(`The stored URI of ${row.alias} cannot be decrypted with KALLA_ENCRYPTION_KEY or any of KALLA_ENCRYPTION_KEYS_PREVIOUS: add the key it was saved with to KALLA_ENCRYPTION_KEYS_PREVIOUS, or update ${row.alias} with its URI.`, error)
  }
}

// Binds each sealed URI to its row: a value copied onto another source fails to open.
export function context (alias: string): string {
  return `kalla.sources:${alias.toLowerCase()}`
}

function checkUri (type: SourceType, uri: string, alias: string): void {
  try {
    checkSourceUri({ type, uri, alias })
  } catch (error) {
    throw SourcesErrors.SOURCES_URI_INVALID(engineMessage(error as Error, { alias, uri }), error)
  }
  if (type === 'file' && !isValidKey(uri)) {
    throw SourcesErrors.SOURCES_URI_INVALID(`The URI of the file source ${alias} must be the object storage key of the file, such as sources/ledger.parquet (letters, digits and . _ - /).`)
  }
}

type Problem = { code: string, message: string }

async function columnsIfReachable (deps: SourcesDeps, source: { alias: string, type: SourceType, uri: string }): Promise<{ columns: Column[], problem?: Problem }> {
  try {
    return { columns: await sourceColumns(deps, source) }
  } catch (error) {
    const code = error instanceof CodedError ? error.code : 'SOURCES_UNREACHABLE'
    deps.log.warn({ alias: source.alias, type: source.type, code }, 'the source did not answer; it is saved without columns')
    // A coded error's message names the source as the user knows it, its credentials already removed.
    const message = error instanceof CodedError ? scrubSecrets(error.message, source.uri) : `${source.alias} could not be read; the details are in the sources service log.`
    return { columns: [], problem: { code, message } }
  }
}

function toSource (deps: SourcesDeps, row: SourceRow): Source {
  return {
    alias: row.alias,
    type: row.type,
    uri: shownUri(deps, row),
    columns: row.columns,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString()
  }
}

// One undecryptable row must not hide the others from a listing.
function shownUri (deps: SourcesDeps, row: SourceRow): string {
  try {
    return redactUri(openUri(deps, row))
  } catch {
    return '*** (cannot be decrypted with the configured key: update this source with its URI)'
  }
}

function notFound (alias: string): Error {
  return SourcesErrors.SOURCES_NOT_FOUND(`There is no registered source "${alias}": register it first, or check the name.`)
}

function alreadyExists (alias: string): Error {
  return SourcesErrors.SOURCES_ALREADY_EXISTS(`A source named "${alias}" is already registered: choose another alias, or update that source.`)
}
