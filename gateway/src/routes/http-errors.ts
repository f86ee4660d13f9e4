import { BusError } from '@kalla/bus'
import { CodedError } from '@kalla/service'

/** The HTTP status for a service's error code: missing things 404, an unreachable service 503, else 400. */
export function busErrorStatus (code: string): number {
  if (code.endsWith('_NOT_FOUND')) return 404
  if (code === 'BUS_TIMEOUT' || code === 'BUS_NO_RESPONDERS' || code === 'BUS_CLOSED') return 503
  return code === 'INTERNAL' ? 502 : 400
}

/**
 * A service's coded error as a CodedError, which the HTTP routes answer with its own status, code and
 * message; anything else is left for the route to log and answer as INTERNAL.
 */
export function asCodedError (error: unknown): unknown {
  if (!(error instanceof BusError) || error.code === 'INTERNAL') return error
  return new CodedError(error.code, error.message, { statusCode: busErrorStatus(error.code), cause: error })
}
