import { specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql'
import mercurius from 'mercurius'
import type { GatewayDeps } from '../deps.ts'
import { followRunProgress } from '../subscriptions/run-progress.ts'
import { followRunUpdates } from '../subscriptions/run-updated.ts'

/**
 * Subscription resolvers. Each iterator starts when first read; one that cannot start (unknown run, bus
 * down) fails with a coded error (see failWith).
 */
export function subscriptionResolvers (deps: GatewayDeps) {
  return {
    runProgress: {
      subscribe: (_: unknown, { runId }: { runId: string }) => followRunProgress(deps, runId),
      resolve: (step: unknown) => step
    },
    runUpdated: {
      subscribe: () => followRunUpdates(deps),
      resolve: (run: unknown) => run
    }
  }
}

/**
 * mercurius validates queries and mutations, but hands a subscription straight to execution; this
 * preSubscriptionExecution hook applies graphql's rules and the gateway's limits to subscriptions too.
 */
export function validateSubscription (rules: readonly ValidationRule[]) {
  return (schema: GraphQLSchema, document: DocumentNode): void => {
    const [first] = validate(schema, document, [...specifiedRules, ...rules])
    if (first === undefined) return
    const code = typeof first.extensions.code === 'string' ? first.extensions.code : 'GRAPHQL_VALIDATION_FAILED'
    throw new mercurius.ErrorWithProps(first.message, { code }, 400)
  }
}
