import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { COMPOSE_FILES, commandOf, dependenciesOf, durationSeconds, environmentOf, interpolate, probedUrl, readCompose, readComposeRaw, type ComposeFile } from '../lib/compose.ts'
import { exists, MIGRATE_ENTRY, ROOT, roleVariables, SCALED_ROLES, scaledRequirements, SINGLE_ROLE, singleVariableNames, type Role } from '../lib/roles.ts'
import { minStopGraceSeconds } from '../lib/rules.ts'

// The compose files as `docker compose` runs them with no .env: defaults applied, required secrets stood in.
const standIn = (name: string): string => `stand-in-${name.toLowerCase()}`
const single = await readCompose(COMPOSE_FILES.single, {}, standIn)
const scaled = await readCompose(COMPOSE_FILES.scaled, {}, standIn)
const KALLA = [...SCALED_ROLES.map((r) => r.name), 'migrate']

const service = (file: ComposeFile, name: string) => {
  const found = file.services[name]
  if (found === undefined) throw new Error(`no service ${name}`)
  return found
}
const pending = (role: Role, path: string): boolean => role.expected !== undefined && !exists(path)

t.test('compose interpolation behaves like docker compose', async (t) => {
  /* eslint-disable no-template-curly-in-string -- compose's own ${VAR} syntax, not JavaScript templates */
  t.equal(interpolate('${A:-x} ${B-y} $$C ${D}', { A: '', B: '' }), 'x  $C ')
  t.equal(interpolate('${A:?set A}', { A: 'v' }), 'v')
  t.throws(() => interpolate('${A:?set A}', {}), /A: set A/)
  t.equal(interpolate('${A:?set A}', {}, standIn), 'stand-in-a')
  /* eslint-enable no-template-curly-in-string */
})

t.test('single mode is one Kalla container running single mode on port 4000 with Postgres', async (t) => {
  const kalla = service(single, 'kalla')
  t.same(commandOf(kalla), ['node', SINGLE_ROLE.entry])
  t.ok(exists(SINGLE_ROLE.entry), `${SINGLE_ROLE.entry} exists`)
  const env = environmentOf(kalla)
  t.equal(env.HOST, '0.0.0.0', 'listens on every interface of its container')
  t.equal(env.PORT, '4000')
  t.match(env.DATABASE_URL, /^postgres:\/\/kalla:[^@]+@postgres:5432\/kalla$/)
  t.equal(env.KALLA_DATA_DIR, '/var/lib/kalla')
  t.ok(kalla.volumes?.some((v) => typeof v === 'string' && v.endsWith(':/var/lib/kalla')), 'the data directory is a volume')
  t.equal(dependenciesOf(kalla).postgres, 'service_healthy')
  t.match(service(single, 'postgres').image, /^postgres:16/)
  const known = await singleVariableNames()
  t.same(Object.keys(env).filter((k) => !known.has(k)), [], 'every variable is one Kalla reads')
})

t.test('scaled mode runs every role as its own container with its entry file', async (t) => {
  for (const role of SCALED_ROLES) {
    const s = service(scaled, role.name)
    t.same(commandOf(s), ['node', role.entry], role.name)
    if (pending(role, role.entry)) t.comment(`${role.entry} is not in the repository yet`)
    else t.ok(exists(role.entry), `${role.entry} exists`)
  }
  t.same(commandOf(service(scaled, 'migrate')), ['node', MIGRATE_ENTRY])
  t.ok(exists(MIGRATE_ENTRY))
  t.same(Object.keys(scaled.services).filter((n) => service(scaled, n).build !== undefined).sort(), [...KALLA].sort(), 'exactly the Kalla roles are built from this repository')
})

t.test('every variable a role requires in scaled mode is set, and every variable set is one it reads', async (t) => {
  for (const role of SCALED_ROLES) {
    const env = environmentOf(service(scaled, role.name))
    const required = await scaledRequirements(role)
    t.same(required.filter((name) => (env[name] ?? '') === ''), [], `${role.name} gets ${required.join(', ')}`)
    const variables = await roleVariables(role)
    if (variables === undefined) continue
    const known = new Set(variables.map((v) => v.name))
    t.same(Object.keys(env).filter((k) => !known.has(k)), [], `${role.name} reads every variable it is given`)
  }
  const migrate = environmentOf(service(scaled, 'migrate'))
  t.ok(migrate.DATABASE_URL, 'the migration gets DATABASE_URL')
})

t.test('only the published gateway listens beyond its container; the services stay on loopback', async (t) => {
  for (const role of SCALED_ROLES) {
    const env = environmentOf(service(scaled, role.name))
    t.equal(env.HOST, role.name === 'gateway' ? '0.0.0.0' : '127.0.0.1', `${role.name} HOST`)
    const s = service(scaled, role.name)
    if (role.name !== 'gateway') t.same(s.ports ?? [], [], `${role.name} publishes no port`)
  }
})

t.test('health checks probe /readyz on the port PORT names, and the service kit serves that path', async (t) => {
  const health = await readFile(join(ROOT, 'libs/service/src/health.ts'), 'utf8')
  t.ok(health.includes("'/readyz'") && health.includes("'/healthz'"), 'libs/service serves /readyz and /healthz')
  const probes: [ComposeFile, string][] = [[single, 'kalla'], ...SCALED_ROLES.map((r) => [scaled, r.name] as [ComposeFile, string])]
  for (const [file, name] of probes) {
    const s = service(file, name)
    t.same(probedUrl(s), { port: Number(environmentOf(s).PORT), path: '/readyz' }, `${name} probes its own port`)
  }
  for (const name of ['postgres', 'nats', 'minio']) t.ok(service(scaled, name).healthcheck?.test, `${name} has a health check`)
})

t.test('start order: migrate after Postgres, services after migrate, NATS and the bucket', async (t) => {
  for (const [name, s] of Object.entries(scaled.services)) {
    for (const dep of Object.keys(dependenciesOf(s))) t.ok(scaled.services[dep], `${name} depends on ${dep}, which exists`)
  }
  t.same(dependenciesOf(service(scaled, 'migrate')), { postgres: 'service_healthy' })
  t.same(dependenciesOf(service(scaled, 'minio-init')), { minio: 'service_healthy' })
  for (const role of SCALED_ROLES) {
    const env = environmentOf(service(scaled, role.name))
    const deps = dependenciesOf(service(scaled, role.name))
    const direct = (dep: string): boolean => deps[dep] !== undefined
    const viaServices = (dep: string): boolean => Object.keys(deps).some((d) => dependenciesOf(service(scaled, d))[dep] !== undefined)
    if (env.DATABASE_URL !== undefined) t.equal(deps.migrate, 'service_completed_successfully', `${role.name} waits for the migration`)
    if (env.S3_BUCKET !== undefined) t.equal(deps['minio-init'], 'service_completed_successfully', `${role.name} waits for the bucket`)
    if (env.NATS_URL !== undefined) t.ok(direct('nats') || viaServices('nats'), `${role.name} waits for NATS`)
  }
})

t.test('one image for every Kalla container of both files', async (t) => {
  const images = new Set([service(single, 'kalla').image, ...KALLA.map((n) => service(scaled, n).image)])
  t.same([...images], ['kalla:local'])
  t.equal(service(single, 'kalla').build, '.', 'built from the repository root Dockerfile')
})

t.test('matchers: two or more replicas, stopped only after they handed back their job', async (t) => {
  const matcher = service(scaled, 'matcher')
  t.ok((matcher.deploy?.replicas ?? 1) >= 2, 'at least two matchers')
  const variables = await roleVariables(SCALED_ROLES.find((r) => r.name === 'matcher') as Role) ?? []
  const grace = Number(environmentOf(matcher).MATCHER_SHUTDOWN_GRACE_S ?? variables.find((v) => v.name === 'MATCHER_SHUTDOWN_GRACE_S')?.default)
  t.ok(durationSeconds(matcher.stop_grace_period) >= await minStopGraceSeconds(grace), `stop_grace_period ${matcher.stop_grace_period} covers a ${grace} s shutdown grace`)
  t.ok(durationSeconds(service(single, 'kalla').stop_grace_period) >= await minStopGraceSeconds(grace), 'single mode too')
})

t.test('JetStream persists on a volume and the bucket every service uses is created at start', async (t) => {
  const nats = service(scaled, 'nats')
  const command = commandOf(nats)
  t.ok(command.includes('-js'), 'JetStream is enabled')
  const store = command[command.indexOf('-sd') + 1]
  t.ok(nats.volumes?.some((v) => typeof v === 'string' && v.endsWith(`:${store}`) && scaled.volumes?.[v.split(':')[0] ?? ''] !== undefined), 'its store is a named volume')
  const buckets = new Set(SCALED_ROLES.map((r) => environmentOf(service(scaled, r.name)).S3_BUCKET).filter((b) => b !== undefined))
  const endpoints = new Set(SCALED_ROLES.map((r) => environmentOf(service(scaled, r.name)).S3_ENDPOINT).filter((b) => b !== undefined))
  t.equal(buckets.size, 1, 'one bucket for every service')
  t.equal(endpoints.size, 1, 'one endpoint for every service')
  t.match(commandOf(service(scaled, 'minio-init')).join(' '), new RegExp(`mc mb --ignore-existing \\w+/${[...buckets][0]}\\b`))
})

t.test('secrets are never written into the scaled file: each comes from the environment or .env', async (t) => {
  const raw = await readComposeRaw(COMPOSE_FILES.scaled)
  for (const [name, s] of Object.entries(raw.services)) {
    for (const [key, value] of Object.entries(environmentOf(s))) {
      if (/(PASSWORD|SECRET|ENCRYPTION_KEY)/.test(key)) t.match(value, /^\$\{[A-Z_]+:\?/, `${name} ${key} is required from the environment`)
      if (key === 'DATABASE_URL') t.match(value, /:\$\{POSTGRES_PASSWORD:\?[^}]*\}@/, `${name} DATABASE_URL takes its password from the environment`)
    }
  }
})
