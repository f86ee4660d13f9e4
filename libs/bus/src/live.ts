import type { Topic } from '@kalla/proto'
import { decode } from './codec.ts'
import type { BusLogger, SubscribeHandler } from './types.ts'

/**
 * Wraps a live subscriber's handler: a live view has nobody to hand a bad message back to, so an invalid
 * message or a failing handler is logged and the subscription goes on with the next message.
 */
export function liveHandler<T extends Topic> (topic: T, handler: SubscribeHandler<T>, logger: BusLogger) {
  return async (data: Uint8Array | string, subject: string, seq: number): Promise<void> => {
    const decoded = decode<T['schema']>(topic.schema, data)
    if (!decoded.ok) {
      logger.warn({ subject, seq, problems: decoded.problems }, 'skipping a live message that does not match its contract')
      return
    }
    try {
      await handler(decoded.value, { subject, seq })
    } catch (error) {
      logger.error({ err: error, subject, seq }, 'live subscriber failed')
    }
  }
}
