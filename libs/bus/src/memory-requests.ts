import type { Endpoint, RequestOf, ResponseOf } from '@kalla/proto'
import { assertValid, encode } from './codec.ts'
import { BusError, BusErrorCodes } from './errors.ts'
import { DEFAULT_TIMEOUT_MS, answer, readReply } from './reply.ts'
import type { BusLogger, RequestHandler, RequestOptions, ServeOptions, Service } from './types.ts'

type Responder = (data: string) => Promise<string>

interface QueueGroup {
  members: Responder[]
  turn: number
}

/** Request/reply inside one process, with NATS semantics: each queue group answers once, first reply wins. */
export function memoryRequests (logger: BusLogger) {
  const subjects = new Map<string, Map<string, QueueGroup>>()

  const request = async <E extends Endpoint>(endpoint: E, payload: RequestOf<E>, options: RequestOptions = {}): Promise<ResponseOf<E>> => {
    assertValid(endpoint.request, payload, `The request to ${endpoint.subject}`)
    const groups = [...(subjects.get(endpoint.subject)?.values() ?? [])].filter((g) => g.members.length > 0)
    if (groups.length === 0) throw new BusError(BusErrorCodes.NO_RESPONDERS, `Nothing serves ${endpoint.subject}`)
    const data = encode(payload)
    const replies = groups.map((group) => {
      const member = group.members[group.turn++ % group.members.length] as Responder
      return member(data)
    })
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new BusError(BusErrorCodes.TIMEOUT, `No reply from ${endpoint.subject} within ${timeoutMs} ms`)), timeoutMs)
    })
    try {
      return readReply(endpoint, await Promise.race([...replies, timeout]))
    } finally {
      clearTimeout(timer)
    }
  }

  const serve = <E extends Endpoint>(endpoint: E, handler: RequestHandler<E>, options: ServeOptions): Service => {
    const inFlight = new Set<Promise<string>>()
    const responder: Responder = (data) => {
      const reply = answer(endpoint, handler, data, logger)
      inFlight.add(reply)
      const forget = () => inFlight.delete(reply)
      reply.then(forget, forget)
      return reply
    }
    const groups = subjects.get(endpoint.subject) ?? new Map<string, QueueGroup>()
    subjects.set(endpoint.subject, groups)
    const group = groups.get(options.queue) ?? { members: [], turn: 0 }
    groups.set(options.queue, group)
    group.members.push(responder)
    return {
      stop: async () => {
        group.members = group.members.filter((m) => m !== responder)
        await Promise.all(inFlight)
      }
    }
  }

  return { request, serve }
}
