import { createRequire } from 'node:module'
import type { Compile } from 'typebox/compile'
import type { Static, TSchema } from 'typebox'
import { nearest } from './nearest.ts'

// TypeBox's compiler is a few hundred modules: loaded (synchronously, as checks are) when the first
// contract is checked, not when proto is imported, so a service answers /readyz without it.
let compile: typeof Compile | undefined
function compiler (): typeof Compile {
  compile ??= (createRequire(import.meta.url)('typebox/compile') as { Compile: typeof Compile }).Compile
  return compile
}

/** One thing wrong with a message or a recipe, addressed by a JSON pointer-like path. */
export interface Problem {
  code: string
  message: string
  path?: string
}

/** A compiled schema: `check` narrows, `problems` lists every violation. */
export interface Checker<S extends TSchema> {
  schema: S
  check: (value: unknown) => value is Static<S>
  problems: (value: unknown) => Problem[]
}

interface SchemaError { keyword: string, schemaPath: string, instancePath: string, params: Record<string, unknown>, message: string }

/**
 * Compiles a TypeBox schema (once, when first used) for repeated checks. Problems say what to change in plain words: a missing
 * field by name, an unknown field with the nearest known one, a value outside a list with the allowed values.
 * @example const checkJob = checker(Job); if (!checkJob.check(msg)) console.log(checkJob.problems(msg))
 */
export function checker<S extends TSchema> (schema: S, code = 'SCHEMA_INVALID'): Checker<S> {
  // Compiled on first use: a process compiles only the contracts it checks, and starts faster.
  let compiled: ReturnType<typeof Compile<S>> | undefined
  const validator = (): ReturnType<typeof Compile<S>> => (compiled ??= compiler()(schema))
  return {
    schema,
    check: (value: unknown): value is Static<S> => validator().Check(value),
    problems: (value: unknown) => {
      const seen = new Set<string>()
      const problems: Problem[] = []
      for (const error of validator().Errors(value) as Iterable<SchemaError>) {
        // additionalProperties also fails as `boolean` on the field itself, and anyOf branches repeat a failure.
        const key = `${error.keyword} ${error.instancePath}`
        if (error.keyword === 'boolean' || seen.has(key)) continue
        seen.add(key)
        problems.push(...describe(error, schema, value, code))
      }
      return problems
    }
  }
}

function describe (error: SchemaError, schema: TSchema, value: unknown, code: string): Problem[] {
  const at = error.instancePath
  const where = at === '' ? 'The value' : at
  switch (error.keyword) {
    case 'required': {
      const missing = (error.params.requiredProperties as string[] | undefined) ?? []
      return missing.map((field) => ({ code, message: `${where} is missing the field "${field}".`, path: `${at}/${field}` }))
    }
    case 'additionalProperties': {
      const known = Object.keys((schemaAt(schema, error.schemaPath) as { properties?: object } | undefined)?.properties ?? {})
      const extra = (error.params.additionalProperties as string[] | undefined) ?? []
      return extra.map((field) => {
        const near = nearest(field, known)
        const hint = near === undefined ? '' : ` Did you mean "${near}"?`
        return { code, message: `${where} has an unknown field "${field}".${hint} Its fields are: ${known.join(', ')}.`, path: `${at}/${field}` }
      })
    }
    case 'enum': {
      const allowed = ((error.params.allowedValues as unknown[] | undefined) ?? []).map(String)
      const given = valueAt(value, at)
      const near = typeof given === 'string' ? nearest(given, allowed) : undefined
      const hint = near === undefined ? '' : ` Did you mean "${near}"?`
      return [{ code, message: `${where} is ${JSON.stringify(given)}, which is not allowed: use one of ${allowed.join(', ')}.${hint}`, path: at }]
    }
    default:
      return [{ code, message: `${where} ${error.message}`, path: at }]
  }
}

// schemaPath is a JSON pointer into the schema, e.g. #/properties/sources/properties/left.
function schemaAt (schema: TSchema, pointer: string): unknown {
  return pointer.replace(/^#\/?/, '').split('/').filter(Boolean).reduce<unknown>((node, part) =>
    node === null || typeof node !== 'object' ? undefined : (node as Record<string, unknown>)[part.replaceAll('~1', '/').replaceAll('~0', '~')], schema)
}

function valueAt (value: unknown, pointer: string): unknown {
  return pointer.split('/').slice(1).reduce<unknown>((node, part) =>
    node === null || typeof node !== 'object' ? undefined : (node as Record<string, unknown>)[part.replaceAll('~1', '/').replaceAll('~0', '~')], value)
}
