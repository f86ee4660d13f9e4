import { randomUUID } from 'node:crypto'
import { Kind, valueFromASTUntyped, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql'
import type { Identity } from '@kalla/auth'
import { hasRole } from '@kalla/proto'
import { requiredRole } from '../auth/root-fields.ts'
import { MUTATION_TARGETS } from './mutation-targets.ts'
import { actorOf, type AuditRecorder } from './recorder.ts'

interface HookContext { identity?: Identity | null, reply?: { request?: { id?: string, identity?: Identity } } }

/**
 * A preExecution hook, run just before the access check: a mutation an identified caller may not run
 * is recorded as refused (FORBIDDEN), one entry per root field, so attempts above a key's role are in
 * the trail too. Callers without a valid key are refused earlier and only logged.
 */
export function auditRefusedMutations (audit: AuditRecorder) {
  return async (_schema: GraphQLSchema, document: DocumentNode, context: HookContext, variables?: Record<string, unknown> | null): Promise<void> => {
    const identity = context.identity ?? context.reply?.request?.identity
    if (identity === undefined || identity === null || hasRole(identity.role, requiredRole(document))) return
    const requestId = context.reply?.request?.id ?? randomUUID()
    const mutations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && d.operation === 'mutation')
    for (const field of mutations.flatMap((m) => m.selectionSet.selections).filter((s) => s.kind === Kind.FIELD)) {
      const operation = field.name.value
      const args = Object.fromEntries((field.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, variables ?? undefined)]))
      const targets = (MUTATION_TARGETS[operation] ?? (() => ({})))(args, undefined)
      await audit.append({
        actor: actorOf(identity),
        channel: 'graphql',
        operation,
        requestId,
        args,
        targets: Object.fromEntries(Object.entries(targets).filter((e): e is [string, string | string[]] => e[1] !== undefined && e[1] !== null)),
        outcome: 'error',
        errorCode: 'FORBIDDEN'
      })
    }
  }
}
