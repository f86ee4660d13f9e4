import { initGraphQLTada } from 'gql.tada'
import type { introspection } from './graphql-env.d.ts'

/** Typed documents: each query's result and variables are checked by tsc against proto/graphql (see schema-types.ts). */
export const graphql = initGraphQLTada<{ introspection: introspection, scalars: { JSON: unknown, DateTime: string, ID: string } }>()

export type { ResultOf, VariablesOf } from 'gql.tada'
