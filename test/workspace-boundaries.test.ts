import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

// The structure rules: a service or the gateway depends on proto and libs only, never on a service; libs
// depend on no service or gateway. Single mode is the one composition root allowed to assemble services.
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const COMPOSITION_ROOT = 'services/single'

interface Workspace { dir: string, name: string, dependencies: string[] }

const rootManifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }
const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean)
const workspaces: Workspace[] = tracked
  .filter((file) => file.endsWith('/package.json') && rootManifest.workspaces.some((pattern) => matchesWorkspace(pattern, dirname(file))))
  .map((file) => {
    const manifest = JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { name: string, dependencies?: Record<string, string>, devDependencies?: Record<string, string> }
    return { dir: dirname(file), name: manifest.name, dependencies: [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})] }
  })
const services = new Set(workspaces.filter((w) => w.dir.startsWith('services/')).map((w) => w.name))
const gateway = workspaces.find((w) => w.dir === 'gateway')?.name ?? '@kalla/gateway'

function matchesWorkspace (pattern: string, dir: string): boolean {
  return pattern.endsWith('/*') ? dirname(dir) === pattern.slice(0, -2) : dir === pattern
}

/** The packages a workspace may not use: every service but itself, and the gateway for libs. */
function forbiddenFor (workspace: Workspace): Set<string> {
  if (workspace.dir === COMPOSITION_ROOT) return new Set()
  const forbidden = new Set([...services].filter((name) => name !== workspace.name))
  if (workspace.dir.startsWith('libs/') || workspace.dir === 'proto') forbidden.add(gateway)
  return forbidden
}

function importsOf (file: string): string[] {
  const source = readFileSync(join(ROOT, file), 'utf8')
  return [...source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2] ?? '')
}

t.test('the workspaces the rules cover are found', async (t) => {
  t.ok(services.size >= 5, `services: ${[...services].join(', ')}`)
  t.ok(workspaces.some((w) => w.dir === 'gateway'))
})

t.test('no service or lib declares a dependency on a service (nor a lib on the gateway)', async (t) => {
  for (const workspace of workspaces) {
    const forbidden = forbiddenFor(workspace)
    t.same(workspace.dependencies.filter((d) => forbidden.has(d)), [], `${workspace.dir}/package.json`)
  }
})

t.test('no file imports another service, directly or by a relative path out of its own workspace', async (t) => {
  for (const workspace of workspaces) {
    const forbidden = forbiddenFor(workspace)
    const bad: string[] = []
    for (const file of tracked.filter((f) => f.startsWith(`${workspace.dir}/`) && /\.(ts|mts|mjs|js)$/.test(f))) {
      for (const specifier of importsOf(file)) {
        const name = specifier.split('/').slice(0, 2).join('/')
        if (forbidden.has(name)) bad.push(`${file} imports ${specifier}`)
        if (specifier.startsWith('.') && relative(workspace.dir, normalize(join(dirname(file), specifier))).startsWith('..')) {
          bad.push(`${file} reaches out of ${workspace.dir} with ${specifier}`)
        }
      }
    }
    t.same(bad, [], workspace.dir)
  }
})

// The engine owns DuckDB; only the benchmark's hand-written baseline keeps its own, to compare against.
const DUCKDB_OWNERS = new Set(['libs/engine', 'bench'])

t.test('DuckDB is a dependency of the engine alone, and nothing else imports it', async (t) => {
  for (const workspace of workspaces) {
    if (DUCKDB_OWNERS.has(workspace.dir)) continue
    t.notOk(workspace.dependencies.includes('@duckdb/node-api'), `${workspace.dir}/package.json does not depend on DuckDB`)
    const importers = tracked.filter((f) => f.startsWith(`${workspace.dir}/`) && f.endsWith('.ts') && importsOf(f).some((s) => s.startsWith('@duckdb/')))
    t.same(importers, [], `${workspace.dir} does not import DuckDB`)
  }
})
