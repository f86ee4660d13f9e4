import { randomUUID } from 'node:crypto'
import type { Identity } from '@kalla/auth'
import { MUTATION_TARGETS } from './mutation-targets.ts'
import type { AuditCall, AuditRecorder } from './recorder.ts'

type Resolver = (root: unknown, args: any, context: any, info: any) => unknown

interface MutationContext { identity?: Identity | null, reply?: { request?: { id?: string, identity?: Identity } } }

/** What a mutation's entry needs from its resolver call: who, the request id, the arguments. */
export function auditCall (operation: string, args: Record<string, unknown>, context: MutationContext): AuditCall {
  const identity = context.identity ?? context.reply?.request?.identity
  // The access check ran before any resolver: a mutation without an identity never gets here.
  if (identity === undefined || identity === null) throw new Error(`${operation} ran without an identity`)
  return {
    identity,
    channel: 'graphql',
    operation,
    requestId: context.reply?.request?.id ?? randomUUID(),
    args,
    targets: (result) => (MUTATION_TARGETS[operation] ?? (() => ({})))(args, result as Record<string, any> | undefined)
  }
}

/**
 * Every mutation resolver, wrapped so its outcome is in the audit log before the answer leaves: the
 * operation is the root field, the arguments are recorded redacted, never the result (a created key).
 * Fields in `atomic` record themselves (their change and entry share a transaction).
 */
export function auditedMutations (resolvers: Record<string, Resolver>, audit: AuditRecorder, atomic: ReadonlySet<string> = new Set()): Record<string, Resolver> {
  return Object.fromEntries(Object.entries(resolvers).map(([operation, resolve]) => [
    operation,
    atomic.has(operation)
      ? resolve
      : async (root: unknown, args: Record<string, unknown>, context: MutationContext, info: unknown) =>
        await audit.run(auditCall(operation, args, context), async () => await resolve(root, args, context, info))
  ]))
}
