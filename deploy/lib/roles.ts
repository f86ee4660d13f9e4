import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { TObject } from 'typebox'
import { configVariables, type ConfigVariable } from '@kalla/service'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** A Kalla process as the deployment files run it: its entry file and the module with its config schema. */
export interface Role {
  name: string
  entry: string
  config: string
  /** What the role's server.ts will require, while that file is not in the repository yet. */
  expected?: string[]
}

/** Every long-running Kalla process of the scaled topology, in start order. */
export const SCALED_ROLES: readonly Role[] = [
  { name: 'sources', entry: 'services/sources/src/server.ts', config: 'services/sources/src/config.ts' },
  { name: 'recipes', entry: 'services/recipes/src/server.ts', config: 'services/recipes/src/config.ts' },
  { name: 'runs', entry: 'services/runs/src/server.ts', config: 'services/runs/src/config.ts' },
  { name: 'matcher', entry: 'services/matcher/src/server.ts', config: 'services/matcher/src/config.ts' },
  { name: 'gateway', entry: 'gateway/src/server.ts', config: 'gateway/src/config.ts', expected: ['NATS_URL', 'S3_BUCKET'] }
]

export const SINGLE_ROLE: Role = { name: 'single', entry: 'services/single/src/server.ts', config: 'services/single/src/config.ts' }

/** The one-shot job that migrates every service's schema; it reads the services' schema settings. */
export const MIGRATE_ENTRY = 'services/single/src/migrate.ts'

export type ScaledRoleName = 'sources' | 'recipes' | 'runs' | 'matcher' | 'gateway'

export function scaledRole (name: string): Role {
  const role = SCALED_ROLES.find((r) => r.name === name)
  if (role === undefined) throw new Error(`no Kalla role named ${name}`)
  return role
}

export const exists = (path: string): boolean => existsSync(join(ROOT, path))

/** The role's config schema, or undefined while its module is not in the repository. */
export async function roleSchema (role: Role): Promise<TObject | undefined> {
  if (!exists(role.config)) return undefined
  const module = await import(pathToFileURL(join(ROOT, role.config)).href) as Record<string, unknown>
  const [, schema] = Object.entries(module).find(([name, value]) => name.endsWith('Config') && isObjectSchema(value)) ?? []
  if (schema === undefined) throw new Error(`${role.config} exports no TypeBox object schema named *Config`)
  return schema as TObject
}

function isObjectSchema (value: unknown): boolean {
  const v = value as { type?: unknown, properties?: unknown } | null
  return typeof v === 'object' && v !== null && v.type === 'object' && typeof v.properties === 'object'
}

/** The variables a role reads; defaults that depend on the machine are described instead of shown. */
export async function roleVariables (role: Role): Promise<ConfigVariable[] | undefined> {
  const schema = await roleSchema(role)
  if (schema === undefined) return undefined
  return configVariables(schema).map((v) => v.default === tmpdir() ? { ...v, default: '(OS temporary directory)' } : v)
}

/**
 * What a role must be given in scaled mode: what its schema requires, what its server.ts refuses to start
 * without (`requireStandalone(...)` or an explicit `config.X === undefined` check), and S3_BUCKET wherever
 * storage is read, since a local directory is not shared between containers.
 */
export async function scaledRequirements (role: Role): Promise<string[]> {
  const variables = await roleVariables(role)
  if (variables === undefined) return role.expected ?? []
  const names = new Set(variables.filter((v) => v.required).map((v) => v.name))
  for (const name of await standaloneRequirements(role)) names.add(name)
  if (variables.some((v) => v.name === 'S3_BUCKET')) names.add('S3_BUCKET')
  return [...names]
}

async function standaloneRequirements (role: Role): Promise<string[]> {
  if (!exists(role.entry)) return role.expected ?? []
  const source = await entrySource(role.entry)
  const listed = [...source.matchAll(/requireStandalone\([^[]*\[([^\]]*)\]/g)].flatMap((m) => [...(m[1] ?? '').matchAll(/'([A-Z0-9_]+)'/g)].map((n) => n[1] ?? ''))
  const checked = [...source.matchAll(/config\.([A-Z0-9_]+) === undefined/g)].map((m) => m[1] ?? '')
  return [...new Set([...listed, ...checked])]
}

/** An entry's code: the entry and, when it launches its code from a bundle (`import('./serve.ts')`), that code. */
export async function entrySource (entry: string): Promise<string> {
  const source = await readFile(join(ROOT, entry), 'utf8')
  const launched = /\bimport\(\s*'(\.\/[^']+)'\s*\)/.exec(source)?.[1]
  return launched === undefined ? source : `${source}\n${await readFile(join(ROOT, dirname(entry), launched), 'utf8')}`
}

/** Every variable single mode reads: its own and those of each service it runs in the same process. */
export async function singleVariableNames (): Promise<Set<string>> {
  const names = new Set<string>()
  for (const role of [SINGLE_ROLE, ...SCALED_ROLES]) {
    for (const v of await roleVariables(role) ?? []) names.add(v.name)
  }
  return names
}
