import { Compile } from 'typebox/compile'
import type { Static, TSchema } from 'typebox'

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

/**
 * Compiles a TypeBox schema once for repeated checks.
 * @example const checkJob = checker(Job); if (!checkJob.check(msg)) console.log(checkJob.problems(msg))
 */
export function checker<S extends TSchema> (schema: S, code = 'SCHEMA_INVALID'): Checker<S> {
  const compiled = Compile(schema)
  return {
    schema,
    check: (value: unknown): value is Static<S> => compiled.Check(value),
    problems: (value: unknown) => {
      const seen = new Set<string>()
      const problems: Problem[] = []
      for (const error of compiled.Errors(value)) {
        // anyOf branches and additionalProperties report one failure several times; keep the first per path.
        if (error.keyword === 'boolean' || seen.has(error.instancePath)) continue
        seen.add(error.instancePath)
        problems.push({ code, message: `${error.instancePath || 'value'} ${error.message}`, path: error.instancePath })
      }
      return problems
    }
  }
}
