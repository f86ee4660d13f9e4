import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { builtinModules } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { ROOT } from './roles.ts'

interface Manifest { name: string, dependencies?: Record<string, string>, exports?: Record<string, string> | string }
interface Workspace { dir: string, manifest: Manifest }

/** A package a workspace imports at run time without listing it under `dependencies`. */
export interface Undeclared { workspace: string, dependency: string, file: string }

/** What a process needs at run time: the files it loads, and every import that production installs would miss. */
export interface RuntimeGraph { files: Set<string>, undeclared: Undeclared[], problems: string[] }

const STATIC = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/g
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g

/**
 * Follows the imports of the entry files (type-only imports are erased and skipped) through relative paths
 * and workspace packages, and reports every package import that the importing workspace does not list
 * under `dependencies` (only hoisting would bring it into a production install), and every import of a
 * workspace path that its package does not export.
 */
export async function runtimeGraph (entries: string[], workspaces: Workspace[]): Promise<RuntimeGraph> {
  const files = new Set<string>()
  const undeclared: Undeclared[] = []
  const problems: string[] = []
  const pending = entries.map((e) => resolve(ROOT, e))
  while (pending.length > 0) {
    const file = pending.pop() as string
    const rel = relative(ROOT, file)
    if (files.has(rel)) continue
    files.add(rel)
    if (!/\.(ts|js|mjs)$/.test(file)) continue
    for (const specifier of await importsOf(file)) {
      const target = resolveImport(specifier, file, workspaces, undeclared, problems)
      if (target !== undefined) pending.push(target)
    }
  }
  return { files, undeclared, problems }
}

async function importsOf (file: string): Promise<string[]> {
  const source = await readFile(file, 'utf8')
  const found = [...source.matchAll(STATIC)].filter((m) => m[1] === undefined).map((m) => m[2] ?? '')
  return [...found, ...[...source.matchAll(DYNAMIC)].map((m) => m[1] ?? '')]
}

function resolveImport (specifier: string, from: string, workspaces: Workspace[], undeclared: Undeclared[], problems: string[]): string | undefined {
  if (specifier.startsWith('.')) return join(dirname(from), specifier)
  if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return undefined
  const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0] ?? ''
  const owner = ownerOf(from, workspaces)
  if (owner !== undefined && owner.manifest.dependencies?.[name] === undefined) {
    undeclared.push({ workspace: owner.manifest.name, dependency: name, file: relative(ROOT, from) })
  }
  const workspace = workspaces.find((w) => w.manifest.name === name)
  if (workspace === undefined) return undefined
  const subpath = `.${specifier.slice(name.length)}`
  const exports = workspace.manifest.exports
  const mapped = typeof exports === 'string' ? (subpath === '.' ? exports : undefined) : exports?.[subpath]
  const target = typeof mapped === 'string' ? mapped : undefined
  if (target === undefined) problems.push(`${workspace.manifest.name} does not export ${subpath}`)
  return target === undefined ? undefined : join(workspace.dir, target)
}

function ownerOf (file: string, workspaces: Workspace[]): Workspace | undefined {
  return workspaces
    .filter((w) => file.startsWith(w.dir + '/'))
    .sort((a, b) => b.dir.length - a.dir.length)[0]
}

/** The workspaces of the root package.json (`dir/*` globs one level deep), with their manifests. */
export async function readWorkspaces (): Promise<Workspace[]> {
  const root = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }
  const dirs: string[] = []
  for (const pattern of root.workspaces) {
    if (!pattern.endsWith('/*')) { dirs.push(join(ROOT, pattern)); continue }
    const parent = join(ROOT, pattern.slice(0, -2))
    for (const entry of await readdir(parent, { withFileTypes: true })) if (entry.isDirectory()) dirs.push(join(parent, entry.name))
  }
  const present = dirs.filter((d) => existsSync(join(d, 'package.json')))
  return await Promise.all(present.map(async (dir) => ({ dir, manifest: JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Manifest })))
}

/** Whether a repository path is left out of the Docker build context by these .dockerignore patterns. */
export function dockerIgnored (path: string, patterns: string[]): boolean {
  const parts = path.split('/')
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'))
  let ignored = false
  for (const raw of patterns) {
    const negated = raw.startsWith('!')
    const regex = patternRegex(negated ? raw.slice(1) : raw)
    if (prefixes.some((p) => regex.test(p))) ignored = !negated
  }
  return ignored
}

function patternRegex (pattern: string): RegExp {
  const body = pattern.replace(/^\/+|\/+$/g, '').split('**/').map((chunk) =>
    chunk.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')).join('(?:.*/)?')
  return new RegExp(`^${body}$`)
}

export async function readDockerignore (): Promise<string[]> {
  return (await readFile(join(ROOT, '.dockerignore'), 'utf8')).split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
}
