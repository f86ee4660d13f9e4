import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export type ReadinessCheck = () => Promise<void>

const CHECK_TIMEOUT_MS = 2000

/**
 * /healthz answers while the process serves requests (liveness); /readyz only when every dependency
 * (database, bus, storage) answers within two seconds, naming the ones that do not.
 */
export const healthRoutes = fp(async (app: FastifyInstance, options: { checks: Record<string, ReadinessCheck> }) => {
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (_request, reply) => {
    const results = await Promise.all(Object.entries(options.checks).map(async ([name, check]) => {
      try {
        await withTimeout(check(), CHECK_TIMEOUT_MS)
        return [name, 'ok'] as const
      } catch (error) {
        return [name, `unavailable: ${(error as Error).message}`] as const
      }
    }))
    const ready = results.every(([, state]) => state === 'ok')
    return await reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) })
  })
}, { name: 'kalla-health' })

async function withTimeout (work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([work, new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`no answer in ${ms} ms`)) }, ms) })])
  } finally {
    clearTimeout(timer)
  }
}
