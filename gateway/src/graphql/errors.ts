import { BusError } from '@kalla/bus'
import { CodedError } from '@kalla/service'
import { GraphQLError, type ExecutionResult } from 'graphql'
import mercurius from 'mercurius'
import { isTokenLimit } from './token-limit.ts'

const { ErrorWithProps } = mercurius
type ErrorWithProps = InstanceType<typeof ErrorWithProps>

/** Where failures that are not shown to the client are recorded. Pino-compatible. */
export interface ErrorLog { error: (details: Record<string, unknown>, message: string) => void }

export const INTERNAL_MESSAGE = 'Something went wrong in Kalla; the details are in the gateway log. Try again, and report it if it persists.'

/**
 * The form of an error a client may see: a coded error (from a service over the bus, or the gateway's own)
 * keeps its code, message and per-field problems; anything else is logged and shown only as INTERNAL,
 * since its message may name hosts, paths or SQL.
 */
export function publicError (error: unknown, log: ErrorLog): ErrorWithProps {
  if (error instanceof ErrorWithProps && typeof (error.extensions as { code?: unknown } | undefined)?.code === 'string') return error
  if (error instanceof BusError) {
    return new ErrorWithProps(error.message, error.problems === undefined ? { code: error.code } : { code: error.code, problems: error.problems })
  }
  if (error instanceof CodedError) return new ErrorWithProps(error.message, { code: error.code })
  log.error({ err: error }, 'GraphQL request failed')
  return new ErrorWithProps(INTERNAL_MESSAGE, { code: 'INTERNAL' })
}

/**
 * mercurius' errorFormatter: every error gets `extensions.code`. A request that could not be executed
 * (bad JSON, invalid or too deep query) answers 400; an executed one answers 200 with its errors.
 */
export function formatErrors (execution: ExecutionResult & { errors: readonly GraphQLError[] }, context: { reply?: { log: ErrorLog, request?: { body?: unknown } } | null, app?: { log: ErrorLog } }) {
  const log: ErrorLog = context.reply?.log ?? context.app?.log ?? { error: () => {} }
  // mercurius refuses a JSON array (a batch) as a body that is not an object; say what it was.
  if (Array.isArray(context.reply?.request?.body)) return refusedBatch()
  const errors = execution.errors.flatMap((error) => clientErrors(error, log))
  const executed = execution.data !== undefined
  const statusCode = executed ? 200 : requestStatus(execution.errors)
  return { statusCode, response: { data: execution.data ?? null, errors: errors.map((e) => e.toJSON()) } }
}

function refusedBatch () {
  const error = new GraphQLError('Batched operations (a JSON array of requests) are not accepted: send one operation a request.', { extensions: { code: 'GATEWAY_BATCH_REFUSED' } })
  return { statusCode: 400, response: { data: null, errors: [error.toJSON()] } }
}

function clientErrors (error: GraphQLError, log: ErrorLog): GraphQLError[] {
  // Variables are coerced before execution; a wrong type or a missing required one is the client's input.
  if (error.path === undefined && error.message.startsWith('Variable "$')) return [withCode(error, 'BAD_USER_INPUT')]
  const original = error.originalError
  if (original === undefined || original === null) return [withCode(error, String(error.extensions.code ?? graphqlCode(error.message)))]
  // mercurius reports a failed validation as one error carrying the list.
  const inner = (original as { errors?: unknown }).errors
  if (Array.isArray(inner)) {
    return inner.flatMap((e: unknown) => e instanceof GraphQLError ? clientErrors(e, log) : [new GraphQLError(messageOf(e), { extensions: { code: 'BAD_REQUEST' } })])
  }
  if ((original as { code?: unknown }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') return [withCode(error, 'GATEWAY_BODY_TOO_LARGE')]
  if (isRequestError(original)) return [withCode(error, 'BAD_REQUEST')]
  const shown = publicError(original, log)
  return [new GraphQLError(shown.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions: { ...shown.extensions } })]
}

function withCode (error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions: { ...error.extensions, code } })
}

function graphqlCode (message: string): string {
  if (isTokenLimit({ message })) return 'GATEWAY_QUERY_TOO_LARGE'
  return message.startsWith('Syntax Error') ? 'GRAPHQL_PARSE_FAILED' : 'GRAPHQL_VALIDATION_FAILED'
}

// mercurius and fastify refuse a malformed request (no query, bad JSON, a mutation over GET) with a 4xx error.
function isRequestError (error: Error): boolean {
  const { code, statusCode } = error as { code?: unknown, statusCode?: unknown }
  return typeof code === 'string' && /^(MER_ERR_|FST_)/.test(code) && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500
}

function requestStatus (errors: readonly GraphQLError[]): number {
  const original = errors.length === 1 ? errors[0]?.originalError : undefined
  if (original === undefined || original === null) return 400
  const status = (original as { statusCode?: unknown }).statusCode
  return typeof status === 'number' && status >= 400 && status < 500 ? status : 500
}

function messageOf (error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
