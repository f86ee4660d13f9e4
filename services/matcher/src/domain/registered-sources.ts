import { BusError, isNotFound, type Bus } from '@kalla/bus'
import { ResolveSource, scrubSecrets, type JobSource } from '@kalla/proto'
import { CodedError, type SourceAccess } from '@kalla/service'
import { MatcherErrors } from '../errors.ts'

/**
 * The URI of a job's registered source (`source:<alias>`), resolved now, just before the engine connects: asked of the
 * sources service with a request proven by KALLA_RESOLVE_KEY, answered sealed to that request. The URI
 * lives only in this job's memory; it is never logged, stored or published.
 */
export async function resolveRegistered (deps: { bus: Bus, access: SourceAccess }, source: JobSource, alias: string): Promise<string> {
  const { request, open } = deps.access.ask(alias)
  let response
  try {
    response = await deps.bus.request(ResolveSource, request)
  } catch (error) {
    throw resolveError(source.alias, alias, error)
  }
  try {
    return open(response).uri
  } catch (error) {
    throw MatcherErrors.MATCHER_SOURCE_ACCESS_DENIED(`The registered source ${alias} of ${source.alias} cannot be opened: the matcher's KALLA_RESOLVE_KEY differs from the sources service's. Ask an administrator to configure the same key on both.`, error)
  }
}

function resolveError (sourceAlias: string, alias: string, error: unknown): Error {
  const name = `the registered source ${alias} of ${sourceAlias}`
  if (isNotFound(error)) return MatcherErrors.MATCHER_SOURCE_NOT_FOUND(`${capital(name)} no longer exists: register it again and start a new run.`, error)
  if (error instanceof BusError && error.status === 403) {
    return MatcherErrors.MATCHER_SOURCE_ACCESS_DENIED(`The sources service refused to resolve ${name}: the matcher's KALLA_RESOLVE_KEY differs from the sources service's (or their clocks differ by more than 5 minutes). Ask an administrator to configure the same key on both.`, error)
  }
  if (error instanceof BusError && error.status < 500) return new CodedError(error.code, `${capital(name)} cannot be read: ${error.message}`, { statusCode: error.status, cause: error })
  return MatcherErrors.MATCHER_SOURCES_UNAVAILABLE(`The sources service could not resolve ${name}${error instanceof BusError ? ` (${error.code}: ${error.message})` : ''}. The run is retried automatically.`, error)
}

/** The error with every credential of `uris` masked in its message, in case a driver quoted one. */
export function withoutCredentials (error: unknown, uris: readonly string[]): unknown {
  if (!(error instanceof Error) || uris.length === 0) return error
  const clean = uris.reduce((message, uri) => scrubSecrets(message, uri), error.message)
  if (clean !== error.message) error.message = clean
  return error
}

function capital (text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
