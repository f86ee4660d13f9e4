/** An error with a stable code that travels over the bus and into GraphQL `extensions.code`. */
export class CodedError extends Error {
  readonly code: string
  readonly statusCode: number

  constructor (code: string, message: string, options: { statusCode?: number, cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = 'CodedError'
    this.code = code
    this.statusCode = options.statusCode ?? 400
  }
}

/** Declares a family of coded errors once: `const errors = codes({ RUNS_NOT_FOUND: 404 })`. */
export function codedErrors<C extends Record<string, number>> (statuses: C): { [K in keyof C]: (message: string, cause?: unknown) => CodedError } {
  return Object.fromEntries(Object.entries(statuses).map(([code, statusCode]) =>
    [code, (message: string, cause?: unknown) => new CodedError(code, message, { statusCode, cause })])) as { [K in keyof C]: (message: string, cause?: unknown) => CodedError }
}
