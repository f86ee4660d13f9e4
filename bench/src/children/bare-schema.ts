import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { makeExecutableSchema } from '@graphql-tools/schema'
import { GraphQLScalarType, type GraphQLSchema } from 'graphql'
import { ROOT } from '../harness/child.ts'

/**
 * Kalla's own SDL (proto/graphql), merged as the gateway merges it, for the bare Mercurius baselines:
 * their answers have exactly the shapes the gateway's have. The scalars pass their values through, since
 * a baseline's resolvers return values already in their wire form.
 */
export function bareSchema (resolvers: Record<string, unknown>): GraphQLSchema {
  const dir = join(ROOT, 'proto/graphql')
  const typeDefs = readdirSync(dir).filter((f) => f.endsWith('.graphql')).sort().map((f) => readFileSync(join(dir, f), 'utf8'))
  const passThrough = (name: string): GraphQLScalarType => new GraphQLScalarType({ name, serialize: (v) => v, parseValue: (v) => v })
  return makeExecutableSchema({ typeDefs, resolvers: { JSON: passThrough('JSON'), DateTime: passThrough('DateTime'), ...resolvers } })
}

/** Listens where the bench's topology tells a service to (HOST, PORT). */
export function listenAddress (env: NodeJS.ProcessEnv = process.env): { host: string, port: number } {
  return { host: env.HOST ?? '127.0.0.1', port: Number(env.PORT ?? 0) }
}
