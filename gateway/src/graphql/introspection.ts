import { getNamedType, GraphQLError, isIntrospectionType, type ValidationContext, type ValidationRule } from 'graphql'

export const INTROSPECTION_DISABLED_MESSAGE = 'Introspection is turned off on this gateway (GATEWAY_INTROSPECTION=false); the schema is published in proto/graphql/.'

/**
 * graphql's NoSchemaIntrospectionCustomRule with a code: `__schema` and `__type` are refused with
 * GATEWAY_INTROSPECTION_DISABLED, while `__typename` (which clients and caches add) stays allowed.
 */
export const noIntrospectionRule: ValidationRule = (context: ValidationContext) => ({
  Field (node) {
    const type = getNamedType(context.getType())
    if (type !== undefined && type !== null && isIntrospectionType(type)) {
      context.reportError(new GraphQLError(INTROSPECTION_DISABLED_MESSAGE, { nodes: node, extensions: { code: 'GATEWAY_INTROSPECTION_DISABLED' } }))
    }
  }
})
