import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { dockerIgnored, readDockerignore, readWorkspaces, runtimeGraph } from '../lib/imports.ts'
import { exists, MIGRATE_ENTRY, ROOT, SCALED_ROLES, SINGLE_ROLE } from '../lib/roles.ts'

// Docker does not run here: the image is checked by reading the Dockerfile, the build context it gets
// (.dockerignore) and the imports of every process it runs against what `npm ci --omit=dev` installs.

interface Instruction { keyword: string, args: string }

const text = await readFile(join(ROOT, 'Dockerfile'), 'utf8')
const instructions: Instruction[] = text.replace(/\\\n/g, ' ').split('\n')
  .map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
  .map((l) => { const [keyword = '', ...rest] = l.split(/\s+/); return { keyword: keyword.toUpperCase(), args: rest.join(' ') } })
const all = (keyword: string): string[] => instructions.filter((i) => i.keyword === keyword).map((i) => i.args)
const last = (keyword: string): string => all(keyword).at(-1) ?? ''
const ignore = await readDockerignore()
const entries = [SINGLE_ROLE.entry, MIGRATE_ENTRY, ...SCALED_ROLES.map((r) => r.entry)].filter(exists)

t.test('every stage starts from a current Node LTS slim image that runs TypeScript (>= 22.18)', async (t) => {
  const base = /^NODE_IMAGE=node:(\d+)-slim$/.exec(all('ARG').find((a) => a.startsWith('NODE_IMAGE=')) ?? '')
  t.ok(base !== null, 'ARG NODE_IMAGE=node:<major>-slim')
  t.ok([24, 26].includes(Number(base?.[1])), `node ${base?.[1]} is a current LTS line`)
  t.ok(all('FROM').every((f) => f.startsWith('$' + '{NODE_IMAGE}')), 'every stage uses it')
  t.ok(all('FROM').length >= 2, 'a multi-stage build')
})

t.test('production dependencies only, no install scripts, sources as they are (no build step)', async (t) => {
  t.ok(all('RUN').some((r) => /npm ci\b.*--omit=dev/.test(r)), 'npm ci --omit=dev')
  t.ok(all('RUN').every((r) => !/npm (run|install)\b|\btsc\b/.test(r)), 'nothing is built or installed beyond the lockfile')
  const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean, hasInstallScript?: boolean, optional?: boolean }> }
  const scripted = Object.entries(lock.packages).filter(([, p]) => p.hasInstallScript === true && p.dev !== true).map(([k]) => k)
  t.same(scripted, [], '--ignore-scripts loses nothing: no production package has an install script')
  t.ok(lock.packages['node_modules/@duckdb/node-bindings-linux-x64'] && lock.packages['node_modules/@duckdb/node-bindings-linux-arm64'], 'the lockfile has DuckDB bindings for linux x64 and arm64')
})

t.test('runs as a non-root user, probes /healthz with node, keeps no secret', async (t) => {
  t.ok(!['', 'root', '0'].includes(last('USER').split(':')[0] ?? ''), `USER ${last('USER')}`)
  const health = last('HEALTHCHECK')
  t.match(health, /CMD \["node", "-e", ".*fetch\(.*\/healthz/, 'node fetch against /healthz')
  t.notMatch(health, /curl|wget/)
  t.match(health, /process\.env\.PORT/, 'on the port of whichever role the container runs')
  const assigned = [...all('ENV'), ...all('ARG')].join(' ')
  t.notMatch(assigned, /(DATABASE_URL|ENCRYPTION_KEY|SECRET|PASSWORD|ACCESS_KEY)/, 'no secret in ENV or ARG')
  t.match(assigned, /HOST=0\.0\.0\.0/, 'listens on the container interface')
  t.same(JSON.parse(last('CMD')), ['node', SINGLE_ROLE.entry], 'single mode by default')
  t.ok(exists(SINGLE_ROLE.entry))
})

t.test('.dockerignore keeps out dependencies, tooling, data and secrets', async (t) => {
  for (const path of ['node_modules', 'libs/engine/node_modules', '.tools', '.git', '.env', '.kalla', 'data', 'examples/data', 'bench/data', 'services/runs/test/x.test.ts', 'tap-snapshots']) {
    t.ok(dockerIgnored(path, ignore), `${path} is not sent`)
  }
})

t.test('every file the image runs is in the build context', async (t) => {
  const workspaces = await readWorkspaces()
  const { files } = await runtimeGraph(entries, workspaces)
  t.ok(files.size > 50, `${files.size} files reached from ${entries.join(', ')}`)
  t.same([...files].filter((f) => dockerIgnored(f, ignore)), [], 'none is excluded')
  for (const path of ['package.json', 'package-lock.json', ...workspaces.map((w) => join(w.dir, 'package.json').slice(ROOT.length))]) {
    t.notOk(dockerIgnored(path, ignore), `${path} reaches npm ci`)
  }
  for (const role of SCALED_ROLES) if (!exists(role.entry)) t.comment(`${role.entry} is not in the repository yet`)
})

t.test('every package a process imports is a production dependency of the workspace importing it', async (t) => {
  const { undeclared, problems } = await runtimeGraph(entries, await readWorkspaces())
  t.same(problems, [], 'every workspace import is exported by its package')
  const pairs = [...new Set(undeclared.map((u) => `${u.workspace} -> ${u.dependency}`))]
  const files = (pair: string): string => undeclared.filter((u) => `${u.workspace} -> ${u.dependency}` === pair).map((u) => u.file).join(', ')
  t.same(pairs.map((p) => `${p} (${files(p)})`), [], 'no import works only through hoisting')
})
