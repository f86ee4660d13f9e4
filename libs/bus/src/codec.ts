import { checker, messageSubject, topicFilter, type Checker, type Problem, type Topic } from '@kalla/proto'
import type { Static, TSchema } from 'typebox'
import { BusError, BusErrorCodes } from './errors.ts'

// Compiling a schema is far slower than checking with it; contracts are module-level constants, so one
// compiled checker per schema object lives as long as the schema does.
const checkers = new WeakMap<TSchema, Checker<TSchema>>()

export function checkerFor<S extends TSchema> (schema: S): Checker<S> {
  let found = checkers.get(schema)
  if (found === undefined) {
    found = checker(schema, BusErrorCodes.INVALID_MESSAGE)
    checkers.set(schema, found)
  }
  return found as Checker<S>
}

export type Decoded<S extends TSchema> = { ok: true, value: Static<S> } | { ok: false, problems: Problem[] }

const decoder = new TextDecoder()

export function encode (value: unknown): string {
  return JSON.stringify(value)
}

/** Parses JSON from the wire and checks it against `schema`, listing every problem when it does not fit. */
export function decode<S extends TSchema> (schema: S, data: Uint8Array | string): Decoded<S> {
  let value: unknown
  try {
    value = JSON.parse(typeof data === 'string' ? data : decoder.decode(data))
  } catch {
    return { ok: false, problems: [{ code: BusErrorCodes.INVALID_MESSAGE, message: 'value is not JSON', path: '' }] }
  }
  const check = checkerFor(schema)
  return check.check(value) ? { ok: true, value } : { ok: false, problems: check.problems(value) }
}

/** Throws BUS_INVALID_MESSAGE, listing the problems, unless `value` fits `schema`. */
export function assertValid<S extends TSchema> (schema: S, value: unknown, what: string): asserts value is Static<S> {
  const check = checkerFor(schema)
  if (check.check(value)) return
  const problems = check.problems(value)
  throw new BusError(BusErrorCodes.INVALID_MESSAGE, `${what} does not match its contract: ${summary(problems)}`, { problems })
}

export function summary (problems: Problem[]): string {
  return problems.map((p) => p.message).join('; ')
}

/** The subject to publish on; BUS_INVALID_SUBJECT when the suffix is missing, unexpected or malformed. */
export function subjectFor (topic: Topic, suffix: string | undefined): string {
  return coded(() => messageSubject(topic, suffix))
}

/** The filter for a topic or one suffix of it; BUS_INVALID_SUBJECT when the suffix is malformed. */
export function filterFor (topic: Topic, suffix: string | undefined): string {
  return coded(() => topicFilter(topic, suffix))
}

function coded (subject: () => string): string {
  try {
    return subject()
  } catch (error) {
    throw new BusError(BusErrorCodes.INVALID_SUBJECT, (error as Error).message, { cause: error })
  }
}
