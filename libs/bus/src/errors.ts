import type { ErrorReply, WireProblem } from '@kalla/proto'

export const BusErrorCodes = {
  TIMEOUT: 'BUS_TIMEOUT',
  NO_RESPONDERS: 'BUS_NO_RESPONDERS',
  INVALID_MESSAGE: 'BUS_INVALID_MESSAGE',
  INVALID_RESPONSE: 'BUS_INVALID_RESPONSE',
  INVALID_SUBJECT: 'BUS_INVALID_SUBJECT',
  NO_STREAM: 'BUS_NO_STREAM',
  STREAM_FULL: 'BUS_STREAM_FULL',
  CLOSED: 'BUS_CLOSED',
  /** Not connected to the bus right now (it is reconnecting): refused at once instead of waiting. */
  UNAVAILABLE: 'BUS_UNAVAILABLE',
  UNSUPPORTED: 'BUS_UNSUPPORTED',
  TRANSPORT: 'BUS_TRANSPORT',
  INTERNAL: 'INTERNAL'
} as const
export type BusErrorCode = typeof BusErrorCodes[keyof typeof BusErrorCodes]

/**
 * A coded error from the bus, or one a remote handler threw and the bus rebuilt on this side.
 * `status` is the HTTP-like status the remote service gave it; the bus's own failures have their own.
 */
export class BusError extends Error {
  readonly code: string
  readonly status: number
  readonly problems: WireProblem[] | undefined

  constructor (code: string, message: string, options: { status?: number, problems?: WireProblem[], cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = 'BusError'
    this.code = code
    this.status = options.status ?? transportStatus(code)
    this.problems = options.problems
  }
}

// The bus's own failures: the other side could not be reached (503), or its answer was unusable (502).
const UNREACHABLE: ReadonlySet<string> = new Set([BusErrorCodes.TIMEOUT, BusErrorCodes.NO_RESPONDERS, BusErrorCodes.CLOSED, BusErrorCodes.UNAVAILABLE, BusErrorCodes.TRANSPORT, BusErrorCodes.STREAM_FULL])
function transportStatus (code: string): number {
  if (UNREACHABLE.has(code)) return 503
  if (code === BusErrorCodes.INVALID_MESSAGE) return 400
  return code.startsWith('BUS_') || code === BusErrorCodes.INTERNAL ? 502 : 400
}

/** True when a remote service answered that what was asked for does not exist (status 404). */
export function isNotFound (error: unknown): boolean {
  return error instanceof BusError && error.status === 404
}

/** True when the other side could not be reached or did not answer in time (status 503): worth trying again. */
export function isUnavailable (error: unknown): boolean {
  return error instanceof BusError && error.status === 503
}

export const INTERNAL_MESSAGE = 'The service failed to handle the request; the details are in its log.'

// Only UPPER_SNAKE domain codes with at least two words travel back to the caller. Node system errors
// (ECONNREFUSED), Node's own ERR_* codes and Postgres SQLSTATEs also carry a `code`, but they describe
// our infrastructure (hosts, paths, table names) rather than the caller's request.
const EXPOSABLE_CODE = /^(?!ERR_)[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/

/** The wire form of a handler's error; `internal` is true when the details were withheld and need logging. */
export function toErrorReply (error: unknown): { reply: ErrorReply, internal: boolean } {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string' && EXPOSABLE_CODE.test(error.code)) {
    const problems = 'problems' in error ? wireProblems(error.problems) : undefined
    return { reply: errorReply(error.code, error.message, problems, errorStatus(error)), internal: false }
  }
  return { reply: errorReply(BusErrorCodes.INTERNAL, INTERNAL_MESSAGE, undefined, 500), internal: true }
}

// A coded error's own status (CodedError's statusCode, a rebuilt BusError's status), when it is an error status.
function errorStatus (error: Error): number | undefined {
  const status = 'statusCode' in error ? error.statusCode : 'status' in error ? error.status : undefined
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599 ? status : undefined
}

/** A work queue hands each message to one consumer, so it has nothing to show a live view. */
export function notLive (topic: { stream: string }): BusError {
  return new BusError(BusErrorCodes.UNSUPPORTED, `Stream ${topic.stream} is a work queue: live subscriptions need a stream with limits retention`)
}

export function errorReply (code: string, message: string, problems?: WireProblem[], status?: number): ErrorReply {
  return { error: { code, message, ...(status === undefined ? {} : { status }), ...(problems === undefined ? {} : { problems }) } }
}

function wireProblems (value: unknown): WireProblem[] | undefined {
  if (!Array.isArray(value)) return undefined
  const problems: WireProblem[] = []
  for (const item of value as unknown[]) {
    if (typeof item !== 'object' || item === null) continue
    const { code, message, path } = item as Record<string, unknown>
    if (typeof code !== 'string' || typeof message !== 'string') continue
    problems.push(typeof path === 'string' ? { code, message, path } : { code, message })
  }
  return problems
}
