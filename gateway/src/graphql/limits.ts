import {
  getNamedType, getNullableType, GraphQLError, isCompositeType, isListType, isObjectType, isInterfaceType, Kind,
  type GraphQLCompositeType, type GraphQLField, type FieldNode, type SelectionSetNode, type ValidationContext, type ValidationRule
} from 'graphql'
import { GatewayErrors } from '../errors.ts'

export interface QueryLimits {
  maxDepth: number
  maxCost: number
  /** What each mutation field costs, beyond its selection: a mutation does work in a service. */
  mutationCost?: number
}

/** A list field without a `limit` argument is assumed to hold this many items. */
const ASSUMED_LIST_SIZE = 10
/** A `limit` given as a variable is not known while validating; assume the most a list resolver returns. */
const LARGEST_LIMIT = 500

interface Measure { depth: number, cost: number }

/** Per validation: each fragment measured once (a fragment spread twice in each of 30 nested fragments is 2^30 spreads), cycles cut. */
interface Walk { context: ValidationContext, mutationCost: number, fragments: Map<string, Measure>, visiting: Set<string> }

/**
 * One validation rule for queries, mutations and subscriptions alike: the deepest field nesting, and a cost
 * of one per field where a list field multiplies what it selects by its `limit` (or an assumed size), and
 * each mutation field costs `mutationCost` more. Introspection fields (`__schema`, `__type`) are not
 * counted: their size is bounded by the schema.
 */
export function queryLimitsRule (limits: QueryLimits): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition (operation) {
      const root = context.getSchema().getRootType(operation.operation)
      if (root === undefined || root === null) return
      const walk: Walk = { context, mutationCost: limits.mutationCost ?? 1, fragments: new Map(), visiting: new Set() }
      const measured = measure(walk, operation.selectionSet, root)
      const name = operation.name?.value ?? operation.operation
      if (measured.depth > limits.maxDepth) {
        context.reportError(limitError('GATEWAY_QUERY_TOO_DEEP', `${name} is nested ${measured.depth} levels deep; at most ${limits.maxDepth} are allowed. Ask for fewer nested fields, or split the request.`, operation))
      }
      if (measured.cost > limits.maxCost) {
        context.reportError(limitError('GATEWAY_QUERY_TOO_COSTLY', `${name} would cost ${measured.cost}; at most ${limits.maxCost} is allowed. Ask for fewer items (lower limit arguments) or fewer nested lists.`, operation))
      }
    }
  })
}

function limitError (code: 'GATEWAY_QUERY_TOO_DEEP' | 'GATEWAY_QUERY_TOO_COSTLY', message: string, node: { loc?: unknown }): GraphQLError {
  const coded = GatewayErrors[code](message)
  return new GraphQLError(coded.message, { nodes: node as never, extensions: { code: coded.code } })
}

function measure (walk: Walk, selectionSet: SelectionSetNode, parent: GraphQLCompositeType): Measure {
  let depth = 0
  let cost = 0
  for (const selection of selectionSet.selections) {
    let inner: Measure
    if (selection.kind === Kind.FIELD) {
      inner = measureField(walk, selection, parent)
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition === undefined ? parent : walk.context.getSchema().getType(selection.typeCondition.name.value)
      inner = isCompositeType(type) ? measure(walk, selection.selectionSet, type) : { depth: 0, cost: 0 }
    } else {
      inner = measureFragment(walk, selection.name.value)
    }
    depth = Math.max(depth, inner.depth)
    cost += inner.cost
  }
  return { depth, cost }
}

function measureFragment (walk: Walk, name: string): Measure {
  const known = walk.fragments.get(name)
  if (known !== undefined) return known
  const fragment = walk.context.getFragment(name)
  const type = fragment === undefined || fragment === null ? undefined : walk.context.getSchema().getType(fragment.typeCondition.name.value)
  // A fragment cycle is reported by graphql's own NoFragmentCycles rule; here it must only not loop.
  if (fragment === undefined || fragment === null || !isCompositeType(type) || walk.visiting.has(name)) return { depth: 0, cost: 0 }
  walk.visiting.add(name)
  const measured = measure(walk, fragment.selectionSet, type)
  walk.visiting.delete(name)
  walk.fragments.set(name, measured)
  return measured
}

function measureField (walk: Walk, field: FieldNode, parent: GraphQLCompositeType): Measure {
  if (field.name.value.startsWith('__')) return { depth: 0, cost: 0 }
  const definition = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[field.name.value] : undefined
  if (definition === undefined) return { depth: 1, cost: 1 }
  const type = getNamedType(definition.type)
  const inner = field.selectionSet !== undefined && isCompositeType(type) ? measure(walk, field.selectionSet, type) : { depth: 0, cost: 0 }
  const own = parent === walk.context.getSchema().getMutationType() ? walk.mutationCost : 1
  return { depth: 1 + inner.depth, cost: own + listSize(definition, field) * inner.cost }
}

function listSize (definition: GraphQLField<unknown, unknown>, field: FieldNode): number {
  if (!isListType(getNullableType(definition.type))) return 1
  const limitArgument = definition.args.find((a) => a.name === 'limit')
  if (limitArgument === undefined) return ASSUMED_LIST_SIZE
  const given = field.arguments?.find((a) => a.name.value === 'limit')?.value
  if (given === undefined) return typeof limitArgument.defaultValue === 'number' ? limitArgument.defaultValue : ASSUMED_LIST_SIZE
  if (given.kind === Kind.INT) return Math.max(0, Math.min(Number(given.value), LARGEST_LIMIT))
  return LARGEST_LIMIT
}
