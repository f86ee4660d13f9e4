import { createRequire } from 'node:module'
import type { FastifyServerOptions } from 'fastify'

// Resolved from fastify's own directory: these are its dependencies, whichever version it brings.
const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'))

type SchemaController = NonNullable<FastifyServerOptions['schemaController']>
type Factories = NonNullable<SchemaController['compilersFactory']>
type ValidatorFactory = NonNullable<Factories['buildValidator']>
type SerializerFactory = NonNullable<Factories['buildSerializer']>
let validator: ValidatorFactory | undefined
let serializer: SerializerFactory | undefined

/**
 * Fastify's `schemaController` option with its default compilers (Ajv and fast-json-stringify) loaded when
 * a route first declares a schema rather than when the app is built: about 240 modules a service whose
 * routes are health and metrics never uses, and a tenth of its start-up.
 * @example Fastify({ loggerInstance: logger, schemaController: lazySchemaController })
 */
export const lazySchemaController: SchemaController = {
  compilersFactory: {
    buildValidator: (...args: Parameters<ValidatorFactory>): ReturnType<ValidatorFactory> =>
      (validator ??= (fromFastify('@fastify/ajv-compiler') as () => ValidatorFactory)())(...args),
    buildSerializer: (...args: Parameters<SerializerFactory>): ReturnType<SerializerFactory> =>
      (serializer ??= (fromFastify('@fastify/fast-json-stringify-compiler') as () => SerializerFactory)())(...args)
  }
}
