import { getOperationAST, Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql'
import { fieldAccess, ROLES, type Role } from '@kalla/proto'

const ROOT_TYPES = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' } as const

/**
 * The least role that may run the operation: the highest of its root fields' roles (fragments followed).
 * Introspection (`__schema`, `__type`, `__typename`) needs only a viewer. When the operation cannot be
 * told apart, every operation of the document counts.
 */
export function requiredRole (document: DocumentNode, operationName?: string | null): Role {
  const operation = getOperationAST(document, operationName)
  const operations = operation !== null && operation !== undefined ? [operation] : document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]))
  let highest = 0
  for (const op of operations) {
    for (const field of rootFieldNames(op.selectionSet, fragments, new Set())) {
      const role = field.startsWith('__') ? 'viewer' : fieldAccess(ROOT_TYPES[op.operation], field)
      highest = Math.max(highest, ROLES.indexOf(role))
    }
  }
  return ROLES[highest] ?? 'admin'
}

function rootFieldNames (selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): string[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection.name.value]
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFieldNames(selection.selectionSet, fragments, seen)
    const fragment = fragments.get(selection.name.value)
    if (fragment === undefined || seen.has(fragment.name.value)) return []
    seen.add(fragment.name.value)
    return rootFieldNames(fragment.selectionSet, fragments, seen)
  })
}
