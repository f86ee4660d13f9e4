import { Kind, visit, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql'
import mercurius from 'mercurius'
import { GatewayErrors } from '../errors.ts'

export interface DocumentLimits {
  /** Most root fields (distinct response keys, fragments followed) one operation may select. */
  maxRootFields: number
  /** Most aliases in the whole document. */
  maxAliases: number
  /** Most operations one document may define. */
  maxOperations: number
  /** Deepest nesting of fragment spreads (a fragment spreading a fragment spreading ...). */
  maxFragmentDepth: number
}

type Code = 'GATEWAY_TOO_MANY_ROOT_FIELDS' | 'GATEWAY_TOO_MANY_ALIASES' | 'GATEWAY_TOO_MANY_OPERATIONS' | 'GATEWAY_QUERY_TOO_DEEP'

/**
 * Checks that cost one pass over the document, run before graphql's validation (whose rules, such as
 * overlapping-fields, grow with the square of repeated fields): 1,000 aliased mutations, many operations
 * in one document, or fragments nested past the depth limit are refused here with a coded error.
 * @example app.graphql.addHook('preValidation', documentLimitsHook(limits))
 */
export function checkDocument (document: DocumentNode, limits: DocumentLimits): { code: Code, message: string } | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
  if (operations.length > limits.maxOperations) return { code: 'GATEWAY_TOO_MANY_OPERATIONS', message: `The document defines ${operations.length} operations; at most ${limits.maxOperations} are allowed. Send one operation a request.` }
  let aliases = 0
  visit(document, { Field: (field) => { if (field.alias !== undefined) aliases++ } })
  if (aliases > limits.maxAliases) return { code: 'GATEWAY_TOO_MANY_ALIASES', message: `The document uses ${aliases} aliases; at most ${limits.maxAliases} are allowed. Ask for fewer fields, or split the request.` }
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]))
  const depth = fragmentDepths(fragments)
  for (const [name, nesting] of depth) {
    if (nesting > limits.maxFragmentDepth) return { code: 'GATEWAY_QUERY_TOO_DEEP', message: `Fragment ${name} nests ${nesting} fragments deep; at most ${limits.maxFragmentDepth} are allowed.` }
  }
  for (const operation of operations) {
    const keys = rootKeys(operation.selectionSet, fragments, new Set(), new Set())
    if (keys.size > limits.maxRootFields) {
      const name = operation.name?.value ?? operation.operation
      return { code: 'GATEWAY_TOO_MANY_ROOT_FIELDS', message: `${name} asks for ${keys.size} root fields; at most ${limits.maxRootFields} are allowed in one operation. Split it into several requests.` }
    }
  }
  return undefined
}

/** mercurius' preValidation hook (and the subscriptions' check): a refused document answers 400 with its code. */
export function documentLimitsHook (limits: DocumentLimits) {
  return (_schema: unknown, document: DocumentNode): void => {
    const refused = checkDocument(document, limits)
    if (refused !== undefined) throw new mercurius.ErrorWithProps(GatewayErrors[refused.code](refused.message).message, { code: refused.code }, 400)
  }
}

function rootKeys (selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, keys: Set<string>, seen: Set<string>): Set<string> {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) keys.add(selection.alias?.value ?? selection.name.value)
    else if (selection.kind === Kind.INLINE_FRAGMENT) rootKeys(selection.selectionSet, fragments, keys, seen)
    else {
      const fragment = fragments.get(selection.name.value)
      if (fragment === undefined || seen.has(fragment.name.value)) continue
      seen.add(fragment.name.value)
      rootKeys(fragment.selectionSet, fragments, keys, seen)
    }
  }
  return keys
}

/** How deeply each fragment nests spreads, each computed once; a cycle counts as deep (graphql reports it). */
function fragmentDepths (fragments: Map<string, FragmentDefinitionNode>): Map<string, number> {
  const depths = new Map<string, number>()
  const visiting = new Set<string>()
  const depthOf = (name: string): number => {
    const known = depths.get(name)
    if (known !== undefined) return known
    const fragment = fragments.get(name)
    if (fragment === undefined || visiting.has(name)) return 0
    visiting.add(name)
    let deepest = 0
    visit(fragment.selectionSet, { FragmentSpread: (spread) => { deepest = Math.max(deepest, depthOf(spread.name.value)) } })
    visiting.delete(name)
    depths.set(name, deepest + 1)
    return deepest + 1
  }
  for (const name of fragments.keys()) depthOf(name)
  return depths
}
