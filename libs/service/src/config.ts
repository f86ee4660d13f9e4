import type { Static, TObject } from 'typebox'
import Value from 'typebox/value'

/** The environment did not describe a valid configuration; `problems` names every variable at fault. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID'
  readonly problems: string[]

  constructor (problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`)
    this.problems = problems
  }
}

/**
 * Reads a service's configuration from environment variables once, against one TypeBox schema whose
 * property names are the variable names. Strings are converted to the schema's types and defaults filled.
 * @example const config = loadConfig(RunsConfig, process.env)
 */
export function loadConfig<S extends TObject> (schema: S, env: Record<string, string | undefined>): Static<S> {
  const known: Record<string, unknown> = {}
  for (const key of Object.keys(schema.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') known[key] = value
  }
  const converted = Value.Convert(schema, Value.Default(schema, known))
  if (Value.Check(schema, converted)) return converted as Static<S>
  const problems = [...Value.Errors(schema, converted)]
    .filter((e) => e.keyword !== 'boolean')
    .map((e) => `${e.instancePath.slice(1) || String((e.params as { requiredProperties?: string[] }).requiredProperties ?? '')}: ${e.message}`)
  throw new ConfigError([...new Set(problems)])
}

export interface ConfigVariable { name: string, type: string, required: boolean, default?: unknown, description: string }

/** The variables a config schema reads, for documentation and deployment checks. */
export function configVariables (schema: TObject): ConfigVariable[] {
  const required = new Set(schema.required ?? [])
  return Object.entries(schema.properties).map(([name, property]) => {
    const p = property as { type?: string, anyOf?: { const?: unknown }[], enum?: unknown[], default?: unknown, description?: string }
    const type = p.enum !== undefined ? p.enum.join(' | ') : p.anyOf !== undefined ? p.anyOf.map((a) => String(a.const)).join(' | ') : String(p.type ?? 'string')
    return { name, type, required: required.has(name) && p.default === undefined, ...(p.default === undefined ? {} : { default: p.default }), description: p.description ?? '' }
  })
}
