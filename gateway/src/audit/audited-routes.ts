import { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Targets } from '@kalla/audit'
import { actorOf, type AuditRecorder } from './recorder.ts'

interface RouteEntry { operation: string, targets: Targets, args: Record<string, unknown> }
type RouteRule = (request: FastifyRequest, answer: Record<string, any> | undefined) => RouteEntry

/** The HTTP routes whose every answer to an identified caller is recorded, by `METHOD /path` as in proto's access table. */
export const AUDITED_ROUTES: Record<string, RouteRule> = {
  'POST /uploads': (_request, answer) => ({
    operation: 'upload',
    targets: { uploadId: answer?.uploadId },
    args: { filename: answer?.filename, sizeBytes: answer?.sizeBytes }
  }),
  'GET /runs/:runId/results/:kind': (request) => {
    const { runId, kind } = request.params as { runId: string, kind: string }
    return { operation: 'download', targets: { runId }, args: { kind, format: (request.query as { format?: string }).format ?? 'csv' } }
  },
  'GET /runs/:runId/exceptions/:side': (request) => {
    const { runId, side } = request.params as { runId: string, side: string }
    return { operation: 'exportExceptions', targets: { runId }, args: { side, format: (request.query as { format?: string }).format ?? 'csv' } }
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once this request's audit entry is written, so an error answer is not recorded twice. */
    audited?: boolean
  }
}

/**
 * An onSend hook: once an audited route's answer is ready, and before any of it is sent, its entry is
 * written (ok below HTTP 400, else error with the answer's code). When that fails, the answer is
 * dropped (a file stream destroyed) and replaced by 503 AUDIT_WRITE_FAILED.
 */
export function auditRoutes (audit: AuditRecorder) {
  return async (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    const rule = AUDITED_ROUTES[`${request.method === 'HEAD' ? 'GET' : request.method} ${request.routeOptions.url ?? ''}`]
    // Callers without a valid key are refused before any work and are not recorded (they are logged).
    if (rule === undefined || request.identity === undefined || request.audited === true) return payload
    request.audited = true
    const answer = typeof payload === 'string' ? parseJson(payload) : undefined
    const failed = reply.statusCode >= 400
    const { operation, targets, args } = rule(request, failed ? undefined : answer)
    try {
      await audit.append({
        actor: actorOf(request.identity),
        channel: 'http',
        operation,
        requestId: request.id,
        targets,
        args,
        outcome: failed ? 'error' : 'ok',
        errorCode: failed ? String(answer?.error?.code ?? `HTTP_${reply.statusCode}`) : null
      })
      return payload
    } catch (error) {
      if (payload instanceof Readable) payload.destroy()
      reply.removeHeader('content-disposition')
      reply.removeHeader('content-length')
      reply.code(503).type('application/json; charset=utf-8')
      return JSON.stringify({ error: { code: 'AUDIT_WRITE_FAILED', message: (error as Error).message } })
    }
  }
}

function parseJson (text: string): Record<string, any> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null ? value as Record<string, any> : undefined
  } catch {
    return undefined
  }
}
