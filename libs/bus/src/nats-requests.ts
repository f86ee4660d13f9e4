import { errors, type Msg, type NatsConnection } from '@nats-io/transport-node'
import type { Endpoint, RequestOf, ResponseOf } from '@kalla/proto'
import { assertValid, encode } from './codec.ts'
import { BusError, BusErrorCodes } from './errors.ts'
import { DEFAULT_TIMEOUT_MS, answer, readReply } from './reply.ts'
import { transportError } from './nats-streams.ts'
import type { BusLogger, RequestHandler, RequestOptions, ServeOptions, Service } from './types.ts'

export async function request<E extends Endpoint> (
  nc: NatsConnection, endpoint: E, payload: RequestOf<E>, options: RequestOptions = {}
): Promise<ResponseOf<E>> {
  assertValid(endpoint.request, payload, `The request to ${endpoint.subject}`)
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  let reply: Msg
  try {
    reply = await nc.request(endpoint.subject, encode(payload), { timeout: timeoutMs })
  } catch (error) {
    throw requestError(endpoint.subject, timeoutMs, error)
  }
  return readReply(endpoint, reply.data)
}

/** Answers `endpoint` in a queue group; resolves once the server has registered the subscription. */
export async function serve<E extends Endpoint> (
  nc: NatsConnection, endpoint: E, handler: RequestHandler<E>, options: ServeOptions, logger: BusLogger
): Promise<Service> {
  const inFlight = new Set<Promise<void>>()
  const respond = async (msg: Msg): Promise<void> => {
    const reply = await answer(endpoint, handler, msg.data, logger)
    // The caller may have given up and gone; a lost reply is its timeout, not our failure.
    if (msg.reply !== undefined && msg.reply !== '' && !nc.isClosed()) msg.respond(reply)
  }
  const subscription = nc.subscribe(endpoint.subject, {
    queue: options.queue,
    callback: (error, msg) => {
      if (error !== null) {
        logger.error({ err: error, subject: endpoint.subject }, 'request subscription failed')
        return
      }
      const handled = respond(msg).catch((e: unknown) => logger.error({ err: e, subject: endpoint.subject }, 'could not reply'))
      inFlight.add(handled)
      const forget = () => inFlight.delete(handled)
      handled.then(forget, forget)
    }
  })
  await nc.flush()
  let stopped: Promise<void> | undefined
  return {
    stop: async () => {
      stopped ??= (async () => {
        if (!subscription.isClosed()) await subscription.drain().catch(() => subscription.unsubscribe())
        await Promise.all(inFlight)
      })()
      await stopped
    }
  }
}

function requestError (subject: string, timeoutMs: number, error: unknown): BusError {
  if (error instanceof errors.TimeoutError) {
    return new BusError(BusErrorCodes.TIMEOUT, `No reply from ${subject} within ${timeoutMs} ms`, { cause: error })
  }
  if (error instanceof errors.RequestError && error.isNoResponders()) {
    return new BusError(BusErrorCodes.NO_RESPONDERS, `Nothing serves ${subject}`, { cause: error })
  }
  return transportError(`Request to ${subject} failed`, error)
}
