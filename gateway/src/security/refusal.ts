import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * Answers a request the gateway refuses before any route runs, in the form its route speaks:
 * a GraphQL response with `extensions.code` on /graphql, `{ error: { code, message } }` elsewhere.
 */
export async function refuseRequest (request: FastifyRequest, reply: FastifyReply, status: number, code: string, message: string): Promise<void> {
  // A refused websocket upgrade is answered on the raw socket before @fastify/websocket has seen it,
  // so nothing else would ever close that socket.
  if (request.headers.upgrade?.toLowerCase() === 'websocket') {
    reply.header('connection', 'close')
    reply.raw.once('finish', () => { request.raw.socket.destroy() })
  }
  const isGraphql = request.routeOptions.url === '/graphql'
  await reply.code(status).send(isGraphql ? { data: null, errors: [{ message, extensions: { code } }] } : { error: { code, message } })
}
