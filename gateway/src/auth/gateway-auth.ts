import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import type { DocumentNode, GraphQLSchema } from 'graphql'
import { bearerToken, type Identity, type KeyVerifier } from '@kalla/auth'
import { hasRole, HTTP_ACCESS, routeAccess } from '@kalla/proto'
import { forbidden, forbiddenMessage, unauthenticated, UNAUTHENTICATED_MESSAGE } from './auth-errors.ts'
import type { LiveSessions, LiveSocket } from './live-sessions.ts'
import { requiredRole } from './root-fields.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request, once the gateway's onRequest hook has verified the key. */
    identity?: Identity
  }
}

/** A websocket's context also holds its socket and the bearer its connection_init carried, for the session guard. */
interface AuthContext { identity?: Identity | null, bearer?: string, socket?: LiveSocket, reply?: { request?: FastifyRequest } }

/**
 * The gateway's enforcement of proto's access table: an onRequest hook for HTTP (401 without a valid
 * key or token, 403 below the route's role), the websocket's connection_init check, and GraphQL hooks that
 * refuse an operation whose root fields need a higher role than the caller's. Each subscription checks the
 * connection's credentials again and is tracked by `sessions`, which end it when they stop being valid.
 */
export function gatewayAuth (verifier: KeyVerifier, sessions: LiveSessions) {
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
    /** mercurius' subscription.context: the socket, so its subscriptions can be ended. */
    socketContext: (socket: LiveSocket) => ({ socket }),
    /** mercurius' subscription.onConnect: the connection opens, but without a valid key no subscription starts. */
    onConnect: async ({ payload }: { payload?: Record<string, unknown> | null }) => {
      const bearer = bearerToken(payload?.authorization ?? payload?.Authorization)
      return { identity: (bearer === undefined ? undefined : await verifier.verify(bearer)) ?? null, bearer }
    },
    /** A subscription starts only while the connection's key or token is still valid (not revoked, not expired). */
    requireIdentity: async (_schema: GraphQLSchema, _document: DocumentNode, context: AuthContext): Promise<void> => {
      if (context.socket !== undefined) context.identity = context.bearer === undefined ? null : (await verifier.verify(context.bearer)) ?? null
      if (identityOf(context) === undefined) throw unauthenticated()
    },
    /** The last preSubscriptionExecution hook: the subscription is open from here on, under the session guard. */
    trackSubscription: (_schema: GraphQLSchema, _document: DocumentNode, context: AuthContext, id: string | number): void => {
      const identity = identityOf(context)
      if (context.socket !== undefined && context.bearer !== undefined && identity !== undefined) sessions.track(context.socket, context.bearer, identity, id)
    },
    untrackSubscription: (context: AuthContext, id: string | number): void => {
      if (context.socket !== undefined) sessions.untrack(context.socket, id)
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
