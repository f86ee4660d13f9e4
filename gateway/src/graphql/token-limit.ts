import { GraphQLError, parse } from 'graphql'
import mercurius from 'mercurius'

/**
 * mercurius parses queries with `parseOptions.maxTokens` but subscriptions without it: this
 * preSubscriptionParsing hook parses a subscription once with the same limit first.
 */
export function tokenLimitHook (maxTokens: number) {
  return (_schema: unknown, source: string): void => {
    try {
      parse(source, { maxTokens })
    } catch (error) {
      if (error instanceof GraphQLError && isTokenLimit(error)) throw tooLarge(maxTokens)
      // Syntax errors are reported by mercurius' own parse, with their usual code.
    }
  }
}

export function isTokenLimit (error: { message: string }): boolean {
  return /^Syntax Error: Document contains more that \d+ tokens/.test(error.message)
}

export function tooLarge (maxTokens: number): InstanceType<typeof mercurius.ErrorWithProps> {
  return new mercurius.ErrorWithProps(`The document has more than ${maxTokens} tokens; ask for fewer fields, or split the request.`, { code: 'GATEWAY_QUERY_TOO_LARGE' }, 400)
}
