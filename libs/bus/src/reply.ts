import { ErrorReply, type Endpoint, type ResponseOf } from '@kalla/proto'
import { checkerFor, decode, encode, summary } from './codec.ts'
import { BusError, BusErrorCodes, INTERNAL_MESSAGE, errorReply, toErrorReply } from './errors.ts'
import type { BusLogger, RequestHandler } from './types.ts'

export const DEFAULT_TIMEOUT_MS = 5_000

/** Handles one raw request end to end and returns the raw reply; never throws. */
export async function answer<E extends Endpoint> (
  endpoint: E, handler: RequestHandler<E>, data: Uint8Array | string, logger: BusLogger
): Promise<string> {
  const request = decode<E['request']>(endpoint.request, data)
  if (!request.ok) {
    const message = `The request to ${endpoint.subject} does not match its contract: ${summary(request.problems)}`
    return encode(errorReply(BusErrorCodes.INVALID_MESSAGE, message, request.problems, 400))
  }
  let response: unknown
  try {
    response = await handler(request.value)
  } catch (error) {
    const { reply, internal } = toErrorReply(error)
    if (internal) logger.error({ err: error, subject: endpoint.subject }, 'request handler failed')
    return encode(reply)
  }
  const check = checkerFor(endpoint.response)
  if (!check.check(response)) {
    logger.error({ subject: endpoint.subject, problems: check.problems(response) }, 'request handler returned a response that does not match its contract')
    return encode(errorReply(BusErrorCodes.INTERNAL, INTERNAL_MESSAGE, undefined, 500))
  }
  return encode({ result: response })
}

/** The response inside a raw reply, or the remote error rebuilt as a BusError. */
export function readReply<E extends Endpoint> (endpoint: E, data: Uint8Array | string): ResponseOf<E> {
  let reply: unknown
  try {
    reply = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data))
  } catch (error) {
    throw new BusError(BusErrorCodes.INVALID_RESPONSE, `The reply from ${endpoint.subject} is not JSON`, { cause: error })
  }
  if (typeof reply === 'object' && reply !== null && 'error' in reply) {
    const check = checkerFor(ErrorReply)
    if (!check.check(reply)) throw new BusError(BusErrorCodes.INVALID_RESPONSE, `The error reply from ${endpoint.subject} is malformed`)
    const { code, message, status, problems } = reply.error
    throw new BusError(code, message, { ...(status === undefined ? {} : { status }), ...(problems === undefined ? {} : { problems }) })
  }
  if (typeof reply !== 'object' || reply === null || !('result' in reply)) {
    throw new BusError(BusErrorCodes.INVALID_RESPONSE, `The reply from ${endpoint.subject} has neither a result nor an error`)
  }
  return decodeValue(endpoint, reply.result)
}

function decodeValue<E extends Endpoint> (endpoint: E, value: unknown): ResponseOf<E> {
  const check = checkerFor<E['response']>(endpoint.response)
  if (check.check(value)) return value
  const problems = check.problems(value)
  throw new BusError(BusErrorCodes.INVALID_RESPONSE, `The response from ${endpoint.subject} does not match its contract: ${summary(problems)}`, { problems })
}
