import t from 'tap'
import { KALLA_JOBS, MATCHER_CONSUMER } from '@kalla/proto'
import { COMPOSE_FILES, commandOf, readCompose } from '../lib/compose.ts'
import { engineBytes, find, podSpec, probePort, quantity, readKustomization, readManifests, resolveEnv, secretData, type Container, type K8sObject } from '../lib/k8s.ts'
import { exists, MIGRATE_ENTRY, roleVariables, SCALED_ROLES, scaledRequirements, type Role } from '../lib/roles.ts'
import { minMemoryLimit, minStopGraceSeconds } from '../lib/rules.ts'

const { objects, secret } = await readManifests()
const compose = await readCompose(COMPOSE_FILES.scaled, {}, (name) => name)
const SECRET_NAMES = ['DATABASE_URL', 'KALLA_ENCRYPTION_KEY', 'KALLA_RESOLVE_KEY', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY']

const deployment = (role: Role): K8sObject => find(objects, 'Deployment', `kalla-${role.name}`)
const container = (workload: K8sObject, name: string): Container => {
  const found = podSpec(workload).containers.find((c) => c.name === name)
  if (found === undefined) throw new Error(`${workload.metadata.name} has no container ${name}`)
  return found
}
const roleContainer = (role: Role): Container => container(deployment(role), role.name)
/** A variable's value as the process sees it: set, or else its schema default. */
const setting = async (role: Role, name: string): Promise<string> => {
  const set = resolveEnv(roleContainer(role), objects, secret).get(name)?.value
  return set ?? String((await roleVariables(role))?.find((v) => v.name === name)?.default ?? '')
}
const matcher = SCALED_ROLES.find((r) => r.name === 'matcher') as Role
const recipes = SCALED_ROLES.find((r) => r.name === 'recipes') as Role

t.test('a Deployment per role runs the same command as its compose service, from a file in the repository', async (t) => {
  for (const role of SCALED_ROLES) {
    const c = roleContainer(role)
    t.same([...c.command ?? [], ...c.args ?? []], commandOf(compose.services[role.name] ?? {}), `${role.name} runs what compose runs`)
    t.same(c.command, ['node', role.entry])
    if (role.expected !== undefined && !exists(role.entry)) t.comment(`${role.entry} is not in the repository yet`)
    else t.ok(exists(role.entry), `${role.entry} exists`)
    t.equal(c.image, 'kalla', 'the image the kustomization sets')
  }
  const { images } = await readKustomization()
  t.ok(images?.some((i) => i.name === 'kalla' && i.newTag !== undefined), 'the kustomization pins the image tag')
})

t.test('every variable a role requires is set, secrets only from the Secret, and every variable is one it reads', async (t) => {
  const secretKeys = Object.keys(secretData(secret, 'kalla-secrets'))
  t.same(SECRET_NAMES.filter((k) => !secretKeys.includes(k)), [], 'the example Secret has every secret key')
  for (const role of SCALED_ROLES) {
    const env = resolveEnv(roleContainer(role), objects, secret)
    const required = await scaledRequirements(role)
    t.same(required.filter((n) => env.get(n) === undefined || env.get(n)?.optional === true || env.get(n)?.value === ''), [], `${role.name} gets ${required.join(', ')}`)
    for (const name of SECRET_NAMES) {
      const v = env.get(name)
      if (v !== undefined) t.equal(v.secret, 'kalla-secrets', `${role.name} ${name} comes from the Secret`)
    }
    const variables = await roleVariables(role)
    if (variables === undefined) continue
    const known = new Set(variables.map((v) => v.name))
    t.same([...env.keys()].filter((k) => !known.has(k)), [], `${role.name} reads every variable it is given`)
  }
  for (const map of objects.filter((o) => o.kind === 'ConfigMap')) {
    t.same(Object.keys(map.data ?? {}).filter((k) => SECRET_NAMES.includes(k)), [], `${map.metadata.name} holds no secret`)
  }
})

t.test('readiness probes /readyz and liveness /healthz on the port PORT names', async (t) => {
  for (const role of SCALED_ROLES) {
    const c = roleContainer(role)
    const port = Number(resolveEnv(c, objects, secret).get('PORT')?.value)
    t.equal(resolveEnv(c, objects, secret).get('HOST')?.value, '0.0.0.0', `${role.name} listens on the pod IP the kubelet probes (the default is loopback)`)
    t.equal(c.readinessProbe?.httpGet?.path, '/readyz', `${role.name} readiness`)
    t.equal(c.livenessProbe?.httpGet?.path, '/healthz', `${role.name} liveness`)
    t.equal(probePort(c, c.readinessProbe), port, `${role.name} readiness probes port ${port}`)
    t.equal(probePort(c, c.livenessProbe), port, `${role.name} liveness probes port ${port}`)
  }
})

t.test('KEDA scales the matchers on the pending jobs of the stream and consumer proto defines', async (t) => {
  const scaled = find(objects, 'ScaledObject', 'kalla-matcher').spec as { scaleTargetRef: { name: string }, minReplicaCount: number, maxReplicaCount: number, cooldownPeriod?: number, triggers: { type: string, metadata: Record<string, string> }[] }
  t.equal(scaled.scaleTargetRef.name, deployment(matcher).metadata.name)
  const [trigger] = scaled.triggers
  t.equal(trigger?.type, 'nats-jetstream')
  t.equal(trigger?.metadata.stream, KALLA_JOBS.name)
  t.equal(trigger?.metadata.consumer, MATCHER_CONSUMER.durable)
  t.match(trigger?.metadata.natsServerMonitoringEndpoint, /:8222$/, 'reads the NATS monitoring port')
  t.equal(Number(trigger?.metadata.lagThreshold), Number(await setting(matcher, 'MATCHER_CONCURRENCY')), 'one replica per MATCHER_CONCURRENCY jobs')
  t.ok(scaled.minReplicaCount >= 0 && scaled.minReplicaCount <= scaled.maxReplicaCount, 'min <= max')
  t.ok((scaled.cooldownPeriod ?? 0) > 0, 'a cooldown period')
  t.equal(deployment(matcher).spec?.replicas, undefined, 'the matcher Deployment leaves its replica count to KEDA')
})

t.test('memory limits leave headroom above the engine memory of the jobs a pod runs at once', async (t) => {
  for (const [role, concurrency] of [[matcher, Number(await setting(matcher, 'MATCHER_CONCURRENCY'))], [recipes, 1]] as const) {
    const limit = quantity(roleContainer(role).resources?.limits?.memory)
    const engine = engineBytes(await setting(role, 'ENGINE_MEMORY_LIMIT'))
    t.ok(limit >= minMemoryLimit(engine, concurrency), `${role.name}: ${limit / 1024 ** 3} GiB >= ${(minMemoryLimit(engine, concurrency) / 1024 ** 3).toFixed(2)} GiB`)
  }
  const resources = roleContainer(matcher).resources
  t.equal(resources?.requests?.memory, resources?.limits?.memory, 'a matcher requests the memory it may use')
  t.ok(Number(await setting(matcher, 'ENGINE_THREADS')) <= quantity(resources?.requests?.cpu), 'DuckDB threads fit the CPU request')
  for (const role of SCALED_ROLES) t.ok(roleContainer(role).resources?.limits?.memory, `${role.name} has a memory limit`)
})

t.test('a stopped matcher has time to hand back its job before it is killed', async (t) => {
  const grace = Number(await setting(matcher, 'MATCHER_SHUTDOWN_GRACE_S'))
  const period = podSpec(deployment(matcher)).terminationGracePeriodSeconds ?? 30
  t.ok(period >= await minStopGraceSeconds(grace), `terminationGracePeriodSeconds ${period} covers a ${grace} s shutdown grace`)
})

t.test('a PodDisruptionBudget for every Deployment', async (t) => {
  const labels = (o: K8sObject): Record<string, string> => (o.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels
  const budgets = objects.filter((o) => o.kind === 'PodDisruptionBudget')
  for (const workload of objects.filter((o) => o.kind === 'Deployment')) {
    const template = (workload.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels
    t.same(Object.entries(labels(workload)).filter(([k, v]) => template[k] !== v), [], `${workload.metadata.name} selects its own pods`)
    t.ok(budgets.some((b) => JSON.stringify(labels(b)) === JSON.stringify(labels(workload))), `${workload.metadata.name} has a budget`)
  }
})

t.test('the migration Job runs the migration command with DATABASE_URL from the Secret', async (t) => {
  const job = find(objects, 'Job', 'kalla-migrate')
  const c = container(job, 'migrate')
  t.same(c.command, commandOf(compose.services.migrate ?? {}))
  t.same(c.command, ['node', MIGRATE_ENTRY])
  t.equal(resolveEnv(c, objects, secret).get('DATABASE_URL')?.secret, 'kalla-secrets')
})

t.test('the Ingress sends everything to the gateway over TLS', async (t) => {
  const ingress = find(objects, 'Ingress', 'kalla').spec as { tls?: unknown[], rules: { http: { paths: { backend: { service: { name: string, port: { name?: string } } } }[] } }[] }
  t.ok((ingress.tls ?? []).length > 0, 'TLS is configured')
  const service = find(objects, 'Service', 'kalla-gateway').spec as { ports: { name: string, targetPort: string }[] }
  for (const path of ingress.rules.flatMap((r) => r.http.paths)) {
    t.equal(path.backend.service.name, 'kalla-gateway')
    t.ok(service.ports.some((p) => p.name === path.backend.service.port.name && p.targetPort === 'http'), 'to the gateway container port')
  }
})
