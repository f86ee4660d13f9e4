import Type, { type Static, type TSchema } from 'typebox'

// Lowercase dotted tokens ending in a version token, so a breaking change gets a new subject
// and old and new services can run side by side during a rollout.
export const SUBJECT_PATTERN = '^[a-z][a-z0-9_-]*(\\.[a-z0-9][a-z0-9_-]*)*\\.v[1-9][0-9]*$'

// A per-message suffix carries an id (a run id may have capitals and dots), never a NATS wildcard.
export const SUBJECT_SUFFIX_PATTERN = '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$'

/** True when `subject` is lowercase, dotted and ends with a version token such as `v1`. */
export function isVersionedSubject (subject: string): boolean {
  return new RegExp(SUBJECT_PATTERN).test(subject)
}

/** A request/reply endpoint: one subject, a request schema and a response schema. */
export interface Endpoint<Request extends TSchema = TSchema, Response extends TSchema = TSchema> {
  readonly kind: 'endpoint'
  readonly subject: string
  readonly request: Request
  readonly response: Response
}

export type RequestOf<E extends Endpoint> = Static<E['request']>
export type ResponseOf<E extends Endpoint> = Static<E['response']>

/**
 * Declares a request/reply endpoint; its TypeScript types come from the schemas.
 * @example export const GetRun = defineEndpoint({ subject: 'kalla.runs.get.v1', request: GetRunRequest, response: Run })
 */
export function defineEndpoint<Request extends TSchema, Response extends TSchema> (
  definition: { subject: string, request: Request, response: Response }
): Endpoint<Request, Response> {
  assertSubject(definition.subject)
  return Object.freeze({ kind: 'endpoint', subject: definition.subject, request: definition.request, response: definition.response })
}

/**
 * A kind of message kept in a stream. A `suffixed` topic publishes every message on
 * `<subject>.<suffix>` (e.g. a run id) so a live subscriber can follow one entity.
 */
export interface Topic<Schema extends TSchema = TSchema> {
  readonly kind: 'topic'
  readonly subject: string
  readonly schema: Schema
  readonly stream: string
  readonly suffixed: boolean
}

export type MessageOf<T extends Topic> = Static<T['schema']>

/**
 * Declares a stream message; `stream` names the stream definition that stores its subject.
 * @example export const MatchJobs = defineTopic({ subject: 'kalla.jobs.match.v1', schema: Job, stream: 'KALLA_JOBS' })
 */
export function defineTopic<Schema extends TSchema> (
  definition: { subject: string, schema: Schema, stream: string, suffixed?: boolean }
): Topic<Schema> {
  assertSubject(definition.subject)
  const { subject, schema, stream, suffixed = false } = definition
  return Object.freeze({ kind: 'topic', subject, schema, stream, suffixed })
}

/** The subject one message of `topic` is published on. Throws when the suffix is missing, unexpected or not a plain token list. */
export function messageSubject (topic: Topic, suffix?: string): string {
  if (!topic.suffixed) {
    if (suffix !== undefined) throw new Error(`${topic.subject} takes no subject suffix, got "${suffix}"`)
    return topic.subject
  }
  if (suffix === undefined) throw new Error(`${topic.subject} needs a subject suffix (e.g. the run id)`)
  assertSuffix(suffix)
  return `${topic.subject}.${suffix}`
}

/** The filter matching the messages of `topic`, or of one suffix of it. */
export function topicFilter (topic: Topic, suffix?: string): string {
  if (suffix !== undefined) return messageSubject(topic, suffix)
  return topic.suffixed ? `${topic.subject}.>` : topic.subject
}

/** True when `subject` matches the NATS filter `pattern` (`*` is one token, a trailing `>` one or more). */
export function subjectMatches (pattern: string, subject: string): boolean {
  const wanted = pattern.split('.')
  const tokens = subject.split('.')
  for (let i = 0; i < wanted.length; i++) {
    const token = wanted[i]
    if (token === '>' && i === wanted.length - 1) return tokens.length > i
    if (i >= tokens.length || (token !== '*' && token !== tokens[i])) return false
  }
  return tokens.length === wanted.length
}

export const WireProblem = Type.Object({
  code: Type.String(),
  message: Type.String(),
  path: Type.Optional(Type.String())
}, { additionalProperties: false })
export type WireProblem = Static<typeof WireProblem>

/**
 * How a failed request travels back: a stable code, a message for people, the HTTP-like status the
 * answering service gave it (404 not found, 409 conflict, 5xx its own failure), and any per-field problems.
 */
export const ErrorReply = Type.Object({
  error: Type.Object({
    code: Type.String({ pattern: '^[A-Z][A-Z0-9_]*$' }),
    message: Type.String(),
    status: Type.Optional(Type.Integer({ minimum: 400, maximum: 599 })),
    problems: Type.Optional(Type.Array(WireProblem))
  }, { additionalProperties: false })
}, { additionalProperties: false })
export type ErrorReply = Static<typeof ErrorReply>

function assertSubject (subject: string): void {
  if (!isVersionedSubject(subject)) {
    throw new Error(`"${subject}" is not a valid subject: use lowercase dotted tokens ending in a version, e.g. kalla.runs.get.v1`)
  }
}

function assertSuffix (suffix: string): void {
  if (!new RegExp(SUBJECT_SUFFIX_PATTERN).test(suffix)) {
    throw new Error(`"${suffix}" is not a valid subject suffix: use letters, digits, "_" and "-", in dot-separated tokens`)
  }
}
