import { createRequire } from 'node:module'
import Type, { type Static, type TObject } from 'typebox'
import type ValueModule from 'typebox/value'
import { readPlainConfig } from './config-read.ts'
import { BusEnv } from './bus-env.ts'

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
  const known: Record<string, string> = {}
  for (const key of Object.keys(schema.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') known[key] = value
  }
  const plain = readPlainConfig(schema, known)
  if (plain !== undefined) return plain as Static<S>
  // Loaded only for a configuration out of the ordinary: it converts loosely and names every problem.
  const Value = (createRequire(import.meta.url)('typebox/value') as { default: typeof ValueModule }).default
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

/** The settings every service process reads, with its own default port. Spread into a config schema. */
export function serviceEnv (defaultPort: number) {
  return {
    // A service's HTTP is only health and metrics (it talks to others over the bus): not reachable from
    // other hosts unless deployed to be, e.g. HOST=0.0.0.0 in a container that is probed from outside.
    HOST: Type.String({ default: '127.0.0.1', description: 'Address the HTTP server listens on: loopback by default; 0.0.0.0 (all interfaces) in a container that is probed or scraped from outside' }),
    PORT: Type.Integer({ minimum: 0, maximum: 65535, default: defaultPort, description: 'HTTP port (health, metrics and any HTTP routes)' }),
    LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'], { default: 'info', description: 'Log level' }),
    ...BusEnv,
    METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16, description: 'When set, /metrics answers only requests with "Authorization: Bearer <token>" (Prometheus: authorization.credentials); open when unset' }))
  }
}

/** The settings of a service that keeps state in Postgres. Spread into a config schema. */
export const DatabaseEnv = {
  DATABASE_URL: Type.Optional(Type.String({ minLength: 1, description: 'Postgres URL; each service keeps its tables in its own schema (required when the service runs on its own)' })),
  MIGRATE_ON_START: Type.Boolean({ default: false, description: 'Run database migrations at start-up (single mode does)' })
}

/** Exits with a clear message when a service started on its own lacks a setting single mode would provide. */
export function requireStandalone (service: string, config: Record<string, unknown>, names: string[]): void {
  const missing = names.filter((n) => config[n] === undefined || config[n] === '')
  if (missing.length === 0) return
  process.stderr.write(`${service}: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required when the service runs on its own\n`)
  process.exit(2)
}
