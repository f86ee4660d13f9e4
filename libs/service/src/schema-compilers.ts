import { createRequire } from 'node:module'

// Resolved from fastify's own directory: these are its dependencies, whichever version it brings.
const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'))

type Factory = (...args: unknown[]) => unknown
let validator: Factory | undefined
let serializer: Factory | undefined

/**
 * Fastify's `schemaController` option with its default compilers (Ajv and fast-json-stringify) loaded when
 * a route first declares a schema rather than when the app is built: about 240 modules a service whose
 * routes are health and metrics never uses, and a tenth of its start-up.
 * @example Fastify({ loggerInstance: logger, schemaController: lazySchemaController })
 */
export const lazySchemaController = {
  compilersFactory: {
    buildValidator: (...args: unknown[]): unknown => (validator ??= (fromFastify('@fastify/ajv-compiler') as () => Factory)())(...args),
    buildSerializer: (...args: unknown[]): unknown => (serializer ??= (fromFastify('@fastify/fast-json-stringify-compiler') as () => Factory)())(...args)
  }
}
