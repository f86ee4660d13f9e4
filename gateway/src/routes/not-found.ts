import type { FastifyReply, FastifyRequest } from 'fastify'

/** Fastify's not-found handler for the gateway: a coded JSON 404 (after the same checks as any route: a caller without a key gets 401). */
export async function routeNotFound (request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const path = request.url.split('?')[0]?.slice(0, 200) ?? ''
  await reply.code(404).send({ error: { code: 'GATEWAY_ROUTE_NOT_FOUND', message: `There is no ${request.method} ${path}; the gateway serves /graphql, /uploads and /runs/<runId>/results/<kind>.` } })
}
