import { isEngineError, type EngineErrorCode } from '@kalla/engine'
import type { CodedError } from '@kalla/service'
import { SourcesErrors } from '../errors.ts'
import { scrubSecrets } from '@kalla/proto'

type Make = (message: string, cause?: unknown) => CodedError

const BY_CODE: Partial<Record<EngineErrorCode, Make>> = {
  ENGINE_SOURCE_URI_INVALID: SourcesErrors.SOURCES_URI_INVALID,
  ENGINE_SOURCE_UNREACHABLE: SourcesErrors.SOURCES_UNREACHABLE,
  ENGINE_SOURCE_AUTH_FAILED: SourcesErrors.SOURCES_UNREACHABLE,
  ENGINE_SOURCE_NOT_FOUND: SourcesErrors.SOURCES_QUERY_FAILED,
  ENGINE_SOURCE_QUERY_FAILED: SourcesErrors.SOURCES_QUERY_FAILED,
  ENGINE_TIMEOUT: SourcesErrors.SOURCES_QUERY_FAILED,
  ENGINE_FILTER_INVALID: SourcesErrors.SOURCES_FILTER_INVALID,
  ENGINE_SOURCE_UNSUPPORTED: SourcesErrors.SOURCES_UNSUPPORTED_TYPE
}

/**
 * The engine's refusal as this service's coded error: its message without the "alias: " the engine
 * puts first, and without any credential from `uri`. Errors about the data itself (a file that cannot
 * be read) get the code `fallback` makes; anything that is not an engine error is passed on as is.
 */
export function fromEngine (error: unknown, source: { alias: string, uri: string }, fallback: Make): unknown {
  if (!isEngineError(error)) return error
  const make = BY_CODE[error.code] ?? fallback
  return make(engineMessage(error, source), error)
}

/** The engine's message as this service shows it: a sentence about the source, no credentials. */
export function engineMessage (error: Error, source: { alias: string, uri: string }): string {
  const prefix = `${source.alias}: `
  const text = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message
  // "the table x does not exist" starts a sentence; "ledger.csv is empty" keeps the file's own name.
  const sentence = /^[a-z]+ /.test(text) ? text.charAt(0).toUpperCase() + text.slice(1) : text
  return scrubSecrets(sentence, source.uri)
}
