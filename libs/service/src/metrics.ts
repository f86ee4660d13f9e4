import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { collectDefaultMetrics, Registry } from 'prom-client'

declare module 'fastify' {
  interface FastifyInstance {
    /** The service's Prometheus registry: register counters and gauges here. */
    metrics: Registry
  }
}

export interface MetricsRouteOptions {
  service: string
  /** When given, /metrics answers 401 unless the request carries `Authorization: Bearer <token>` (METRICS_TOKEN). */
  token?: string
}

/**
 * Prometheus metrics at /metrics: process defaults plus whatever the service registers on `app.metrics`.
 * @example await app.register(metricsRoute, { service: 'runs', token: config.METRICS_TOKEN })
 */
export const metricsRoute = fp(async (app: FastifyInstance, options: MetricsRouteOptions) => {
  const registry = new Registry()
  registry.setDefaultLabels({ service: options.service })
  collectDefaultMetrics({ register: registry })
  app.decorate('metrics', registry)
  const allowed = options.token === undefined ? () => true : bearerMatches(options.token)
  app.get('/metrics', async (request, reply) => {
    if (!allowed(request)) {
      return await reply.code(401).header('www-authenticate', 'Bearer').send({ error: { code: 'METRICS_UNAUTHENTICATED', message: 'Send the metrics token as "Authorization: Bearer <token>".' } })
    }
    return await reply.header('content-type', registry.contentType).send(await registry.metrics())
  })
}, { name: 'kalla-metrics' })

// Compared as SHA-256 digests so the comparison takes the same time whatever the length presented.
function bearerMatches (token: string): (request: FastifyRequest) => boolean {
  const expected = createHash('sha256').update(token).digest()
  return (request) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')
    return match?.[1] !== undefined && timingSafeEqual(createHash('sha256').update(match[1]).digest(), expected)
  }
}
