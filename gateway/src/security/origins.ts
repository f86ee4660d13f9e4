import type { FastifyReply, FastifyRequest } from 'fastify'
import { routeAccess } from '@kalla/proto'
import { refuseRequest } from './refusal.ts'

/**
 * Whether a browser page of `origin` may use the gateway: no Origin at all (curl, SDKs, the CLI), the
 * gateway's own origin (the Origin's host is the request's Host), or one of the configured origins.
 */
export function originAllowed (origin: string | undefined, host: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (origin === undefined) return true
  if (allowed.has(origin)) return true
  try {
    const url = new URL(origin)
    return host !== undefined && (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host.toLowerCase()
  } catch {
    return false
  }
}

/**
 * An onRequest hook for what CORS cannot protect: browsers open websockets and send multipart forms to
 * any site without asking first. A request to a route that needs a key (the websocket upgrade of /graphql,
 * POST /uploads, GraphQL, downloads) from a page of another origin is refused with 403
 * GATEWAY_ORIGIN_FORBIDDEN unless KALLA_CORS_ORIGINS lists that origin. CORS preflights are answered before.
 */
export function originCheck (origins: readonly string[]) {
  const allowed = new Set(origins)
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const url = request.routeOptions.url
    if (request.method === 'OPTIONS' || routeAccess(request.method, url ?? '') === 'public') return
    if (originAllowed(request.headers.origin, request.headers.host, allowed)) return
    request.log.warn({ origin: request.headers.origin, url }, 'refused a request from a page of another origin')
    await refuseRequest(request, reply, 403, 'GATEWAY_ORIGIN_FORBIDDEN', `Pages of ${request.headers.origin ?? 'that origin'} may not use this gateway; an administrator can allow the origin with KALLA_CORS_ORIGINS.`)
  }
}
