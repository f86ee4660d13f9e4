import type { Topic } from '@kalla/proto'
import { decode } from './codec.ts'
import type { BusLogger, DeadLetterHandler } from './types.ts'

/** Decodes a dead letter against its topic's contract and hands it on; the handler's failures are logged. */
export function deadLetterHandler<T extends Topic> (topic: T, handler: DeadLetterHandler<T>, logger: BusLogger) {
  return async (data: Uint8Array | string, seq: number, deliveries: number): Promise<void> => {
    const decoded = decode<T['schema']>(topic.schema, data)
    if (!decoded.ok) {
      logger.warn({ stream: topic.stream, seq, problems: decoded.problems }, 'a dead letter does not match its contract')
      return
    }
    try {
      await handler(decoded.value, { seq, deliveries })
    } catch (error) {
      logger.error({ err: error, stream: topic.stream, seq }, 'handling a dead letter failed')
    }
  }
}
