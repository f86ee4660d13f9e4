import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { collectDefaultMetrics, Registry } from 'prom-client'

declare module 'fastify' {
  interface FastifyInstance {
    /** The service's Prometheus registry: register counters and gauges here. */
    metrics: Registry
  }
}

/** Prometheus metrics at /metrics: process defaults plus whatever the service registers on `app.metrics`. */
export const metricsRoute = fp(async (app: FastifyInstance, options: { service: string }) => {
  const registry = new Registry()
  registry.setDefaultLabels({ service: options.service })
  collectDefaultMetrics({ register: registry })
  app.decorate('metrics', registry)
  app.get('/metrics', async (_request, reply) => {
    return await reply.header('content-type', registry.contentType).send(await registry.metrics())
  })
}, { name: 'kalla-metrics' })
