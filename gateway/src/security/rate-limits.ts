import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { refuseRequest } from './refusal.ts'

export interface RateLimits {
  windowS: number
  /** Requests per window for one API key; 0: none. */
  perKey: number
  /** Requests per window from one client address, before authentication; 0: none. */
  perAddress: number
}

type Limiter = ReturnType<FastifyInstance['createRateLimit']>

/**
 * The gateway's two rate limits, on @fastify/rate-limit's counters: one per client address, checked before
 * authentication (so floods without a key and key guessing are limited), and one per API key after it
 * (websocket upgrades, which authenticate in connection_init, count for their address). Health probes and
 * metrics are not limited. Over a limit: 429 with Retry-After and the code GATEWAY_RATE_LIMITED.
 * @example const limits = await rateLimits(app, { windowS: 60, perKey: 600, perAddress: 1200 })
 */
export async function rateLimits (app: FastifyInstance, limits: RateLimits) {
  await app.register(rateLimit, { global: false })
  const timeWindow = limits.windowS * 1000
  const byAddress = limits.perAddress === 0 ? undefined : app.createRateLimit({ max: limits.perAddress, timeWindow, keyGenerator: (request) => `address:${request.ip}` })
  const byKey = limits.perKey === 0 ? undefined : app.createRateLimit({ max: limits.perKey, timeWindow, keyGenerator: (request) => request.identity === undefined ? `address:${request.ip}` : `${request.identity.kind}:${request.identity.subject}` })
  return {
    beforeAuth: async (request: FastifyRequest, reply: FastifyReply): Promise<void> => { await check(byAddress, request, reply) },
    afterAuth: async (request: FastifyRequest, reply: FastifyReply): Promise<void> => { await check(byKey, request, reply) }
  }
}

const UNLIMITED = new Set(['/healthz', '/readyz', '/metrics'])

async function check (limiter: Limiter | undefined, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (limiter === undefined || reply.sent || request.method === 'OPTIONS' || UNLIMITED.has(request.routeOptions.url ?? '')) return
  const result = await limiter(request)
  if (result.isAllowed || !result.isExceeded) return
  reply.header('retry-after', String(result.ttlInSeconds))
  request.log.warn({ key: result.key.startsWith('key:') ? result.key : 'address' }, 'rate limit exceeded')
  await refuseRequest(request, reply, 429, 'GATEWAY_RATE_LIMITED', `Too many requests: at most ${result.max} in ${Math.round(result.timeWindow / 1000)} s. Try again in ${result.ttlInSeconds} s.`)
}
