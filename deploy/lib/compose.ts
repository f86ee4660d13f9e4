import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ROOT } from './roles.ts'

export type EnvValue = string | number | boolean | null

export interface ComposeService {
  image?: string
  build?: unknown
  command?: string[] | string
  entrypoint?: string[] | string
  environment?: Record<string, EnvValue> | string[]
  healthcheck?: { test?: string[] | string }
  depends_on?: Record<string, { condition?: string }> | string[]
  deploy?: { replicas?: number }
  volumes?: (string | { source?: string, target?: string })[]
  ports?: (string | number | Record<string, unknown>)[]
  stop_grace_period?: string
  restart?: string
}

export interface ComposeFile { name?: string, services: Record<string, ComposeService>, volumes?: Record<string, unknown> }

export const COMPOSE_FILES = { single: 'docker-compose.single.yml', scaled: 'docker-compose.scaled.yml' } as const

/** A compose file as written (YAML merge keys resolved), before `${VAR}` interpolation. */
export async function readComposeRaw (file: string): Promise<ComposeFile> {
  return parse(await readFile(join(ROOT, file), 'utf8'), { merge: true }) as ComposeFile
}

/**
 * A compose file as `docker compose` would run it with these variables: every string value interpolated.
 * A `${VAR:?message}` that is unset throws, as compose does, unless `missing` supplies a stand-in.
 */
export async function readCompose (file: string, vars: Record<string, string | undefined>, missing?: (name: string) => string): Promise<ComposeFile> {
  return mapStrings(await readComposeRaw(file), (s) => interpolate(s, vars, missing)) as ComposeFile
}

function mapStrings (value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value)
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f))
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]))
  return value
}

const VARIABLE = /\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g

/** Compose's interpolation: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`. */
export function interpolate (text: string, vars: Record<string, string | undefined>, missing?: (name: string) => string): string {
  return text.replace(VARIABLE, (_match, body: string, braced?: string, op?: string, arg?: string, bare?: string) => {
    if (body === '$') return '$'
    const name = braced ?? bare ?? ''
    const value = vars[name]
    const unset = value === undefined || (op?.startsWith(':') === true && value === '')
    if (!unset) return value
    if (op === ':-' || op === '-') return arg ?? ''
    if (op === ':?' || op === '?') {
      if (missing !== undefined) return missing(name)
      throw new Error(`${name}: ${arg ?? 'required'}`)
    }
    return ''
  })
}

/** A service's environment as a map of strings (compose accepts a list of KEY=VALUE too). */
export function environmentOf (service: ComposeService): Record<string, string> {
  const env = service.environment ?? {}
  const entries = Array.isArray(env)
    ? env.map((line) => { const i = line.indexOf('='); return [line.slice(0, i), line.slice(i + 1)] as const })
    : Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)] as const)
  return Object.fromEntries(entries)
}

export function commandOf (service: ComposeService): string[] {
  const command = service.command ?? []
  return typeof command === 'string' ? command.split(/\s+/).filter((s) => s !== '') : command
}

export function dependenciesOf (service: ComposeService): Record<string, string> {
  const deps = service.depends_on ?? {}
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']))
  return Object.fromEntries(Object.entries(deps).map(([name, d]) => [name, d.condition ?? 'service_started']))
}

/** The port and path a `node -e "fetch('http://127.0.0.1:PORT/PATH')..."` healthcheck probes. */
export function probedUrl (service: ComposeService): { port: number, path: string } | undefined {
  const test = service.healthcheck?.test
  const text = Array.isArray(test) ? test.join(' ') : test ?? ''
  const match = /http:\/\/(?:127\.0\.0\.1|localhost):(\d+)(\/[A-Za-z0-9_/-]*)/.exec(text)
  return match === null ? undefined : { port: Number(match[1]), path: match[2] ?? '' }
}

/** Compose durations such as `40s`, `1m30s` in seconds. */
export function durationSeconds (text: string | undefined): number {
  if (text === undefined) return 10
  let total = 0
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(h|m|s|ms|us)/g)) {
    total += Number(n) * ({ h: 3600, m: 60, s: 1, ms: 0.001, us: 0.000001 }[unit as 'h' | 'm' | 's' | 'ms' | 'us'])
  }
  return total
}
