import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import type { DocumentNode, GraphQLSchema } from 'graphql'
import { bearerToken, type Identity, type KeyVerifier } from '@kalla/auth'
import { hasRole, HTTP_ACCESS, routeAccess } from '@kalla/proto'
import { forbidden, forbiddenMessage, unauthenticated, UNAUTHENTICATED_MESSAGE } from './auth-errors.ts'
import { requiredRole } from './root-fields.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request, once the gateway's onRequest hook has verified the key. */
    identity?: Identity
  }
}

interface AuthContext { identity?: Identity | null, reply?: { request?: FastifyRequest } }

/**
 * The gateway's enforcement of proto's access table: an onRequest hook for HTTP (401 without a valid
 * key, 403 below the route's role), the websocket's connection_init check, and GraphQL hooks that
 * refuse an operation whose root fields need a higher role than the caller's.
 */
export function gatewayAuth (verifier: KeyVerifier) {
  const identify = async (header: unknown): Promise<Identity | undefined> => {
    const token = bearerToken(header)
    return token === undefined ? undefined : await verifier.verify(token)
  }
  return {
    /** Every route the gateway serves must be in the access table: one added without a rule stops the start. */
    checkRoute: (route: RouteOptions): void => {
      for (const method of [route.method].flat()) {
        if (method === 'HEAD') continue
        if (!(`${method} ${route.url}` in HTTP_ACCESS)) throw new Error(`${method} ${route.url} has no rule in proto's HTTP_ACCESS`)
      }
    },
    onRequest: async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const access = routeAccess(request.method, request.routeOptions.url ?? '')
      // A websocket authenticates in its connection_init message: browsers cannot set headers on it.
      if (access === 'public' || request.headers.upgrade?.toLowerCase() === 'websocket') return
      const identity = await identify(request.headers.authorization)
      if (identity === undefined) return await refuse(request, reply, 401, 'UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE)
      if (!hasRole(identity.role, access)) return await refuse(request, reply, 403, 'FORBIDDEN', forbiddenMessage(identity.role, access))
      request.identity = identity
    },
    context: (request: FastifyRequest) => ({ identity: request.identity ?? null }),
    /** mercurius' subscription.onConnect: the connection opens, but without a valid key no subscription starts. */
    onConnect: async ({ payload }: { payload?: Record<string, unknown> | null }) =>
      ({ identity: (await identify(payload?.authorization ?? payload?.Authorization)) ?? null }),
    requireIdentity: (_schema: GraphQLSchema, _document: DocumentNode, context: AuthContext): void => {
      if (identityOf(context) === undefined) throw unauthenticated()
    },
    authorize: (_schema: GraphQLSchema, document: DocumentNode, context: AuthContext): void => {
      const identity = identityOf(context)
      if (identity === undefined) throw unauthenticated()
      const least = requiredRole(document)
      if (!hasRole(identity.role, least)) throw forbidden(identity.role, least)
    }
  }
}

function identityOf (context: AuthContext): Identity | undefined {
  return context.identity ?? context.reply?.request?.identity ?? undefined
}

async function refuse (request: FastifyRequest, reply: FastifyReply, status: number, code: string, message: string): Promise<void> {
  if (status === 401) reply.header('www-authenticate', 'Bearer')
  const isGraphql = request.routeOptions.url === '/graphql'
  await reply.code(status).send(isGraphql ? { data: null, errors: [{ message, extensions: { code } }] } : { error: { code, message } })
}
