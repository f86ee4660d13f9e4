import { BusError } from '@kalla/bus'
import { CodedError } from '@kalla/service'

/**
 * A service's coded error as a CodedError with the status that service gave it, which the HTTP routes
 * answer with its code and message; anything else is left for the route to log and answer as INTERNAL.
 */
export function asCodedError (error: unknown): unknown {
  if (!(error instanceof BusError) || error.code === 'INTERNAL') return error
  return new CodedError(error.code, error.message, { statusCode: error.status, cause: error })
}
