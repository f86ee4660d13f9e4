import type { FastifyBaseLogger } from 'fastify'
import type { Identity, KeyVerifier } from '@kalla/auth'
import { UNAUTHENTICATED_MESSAGE } from './auth-errors.ts'

/** graphql-transport-ws' Unauthorized: graphql-ws clients do not retry a connection closed with it. */
export const SESSION_ENDED_CLOSE_CODE = 4401

export const SESSION_END_REASONS = {
  revoked: 'The API key was revoked',
  expired: 'The token expired'
} as const
type EndReason = keyof typeof SESSION_END_REASONS

/** What the guard needs of a websocket (a `ws` WebSocket, as mercurius hands it to `subscription.context`). */
export interface LiveSocket {
  send: (data: string) => void
  close: (code: number, reason: string) => void
  once: (event: 'close', listener: () => void) => unknown
}

interface Session { socket: LiveSocket, token: string, identity: Identity, subscriptions: Set<string | number>, expiry?: NodeJS.Timeout }

export interface LiveSessionsOptions {
  verifier: KeyVerifier
  /** How often the API keys of open websockets are verified again. */
  recheckMs: number
  /** The clock tolerance the token verifier allows past `exp`. */
  expiryGraceMs?: number
  log: FastifyBaseLogger
  now?: () => number
}

// setTimeout holds at most 2^31-1 ms (about 24.8 days); a later expiry is re-armed when that passes.
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * The websockets with open subscriptions and the credentials each was opened with. A socket ends (an
 * `error` with UNAUTHENTICATED for each of its subscriptions, then close code 4401) when its token's `exp`
 * passes, at once when its key is revoked through this gateway (`endKey`), and otherwise at the next
 * recheck that finds its key revoked: within `recheckMs` plus the verifier's cache time. Tokens are not
 * rechecked: Kalla cannot revoke them, and a provider that does not answer must not end every socket.
 */
export function liveSessions (options: LiveSessionsOptions) {
  const { verifier, recheckMs, expiryGraceMs = 0, log, now = Date.now } = options
  const sessions = new Map<LiveSocket, Session>()

  const end = (session: Session, reason: EndReason): void => {
    if (!sessions.delete(session.socket)) return
    clearTimeout(session.expiry)
    const payload = [{ message: `${SESSION_END_REASONS[reason]}. ${UNAUTHENTICATED_MESSAGE}`, extensions: { code: 'UNAUTHENTICATED' } }]
    for (const id of session.subscriptions) session.socket.send(JSON.stringify({ type: 'error', id, payload }))
    session.socket.close(SESSION_ENDED_CLOSE_CODE, SESSION_END_REASONS[reason])
    log.info({ subject: session.identity.subject, kind: session.identity.kind, reason }, 'ended a websocket whose credentials are no longer valid')
  }

  const armExpiry = (session: Session): void => {
    const expiresAt = session.identity.expiresAt?.getTime()
    if (expiresAt === undefined) return
    const wait = expiresAt + expiryGraceMs - now()
    if (wait <= 0) { end(session, 'expired'); return }
    session.expiry = setTimeout(() => { armExpiry(session) }, Math.min(wait, MAX_TIMER_MS))
    session.expiry.unref()
  }

  let rechecking = false
  const recheck = async (): Promise<void> => {
    if (rechecking) return
    rechecking = true
    try {
      for (const session of [...sessions.values()].filter((s) => s.identity.kind === 'api-key')) {
        try {
          if (await verifier.verify(session.token) === undefined) end(session, 'revoked')
        } catch (err) {
          // A database that does not answer is not a revocation: the session stays until it can be checked.
          log.warn({ err }, 'checking the key of an open websocket failed')
        }
      }
    } finally {
      rechecking = false
    }
  }
  const timer = setInterval(() => { recheck().catch(() => {}) }, recheckMs)
  timer.unref()

  return {
    /** Records a subscription starting on `socket` with the credentials its connection_init carried. */
    track: (socket: LiveSocket, token: string, identity: Identity, subscriptionId: string | number): void => {
      let session = sessions.get(socket)
      if (session === undefined) {
        session = { socket, token, identity, subscriptions: new Set() }
        sessions.set(socket, session)
        const tracked = session
        socket.once('close', () => { sessions.delete(socket); clearTimeout(tracked.expiry) })
        armExpiry(session)
      }
      session.subscriptions.add(subscriptionId)
    },
    /** A subscription the client stopped: nothing to end for it any more. */
    untrack: (socket: LiveSocket, subscriptionId: string | number): void => { sessions.get(socket)?.subscriptions.delete(subscriptionId) },
    /** Ends every open websocket of an API key at once (revoked through this gateway). */
    endKey: (keyId: string): void => {
      for (const session of [...sessions.values()]) {
        if (session.identity.kind === 'api-key' && session.identity.subject === keyId) end(session, 'revoked')
      }
    },
    /** Verifies the key of every open websocket again now (the timer does it every `recheckMs`). */
    recheck,
    size: () => sessions.size,
    close: (): void => {
      clearInterval(timer)
      for (const session of sessions.values()) clearTimeout(session.expiry)
      sessions.clear()
    }
  }
}

export type LiveSessions = ReturnType<typeof liveSessions>
