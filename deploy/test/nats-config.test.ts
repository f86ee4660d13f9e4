import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import * as proto from '@kalla/proto'
import { BUS_ACCESS, BUS_IDENTITIES, busPermissions, type BusIdentity } from '@kalla/proto'
import { COMPOSE_FILES, environmentOf, readCompose } from '../lib/compose.ts'
import { NATS_CONFIG_FILE, NATS_HELM_VALUES_FILE, natsAuthorization, natsHelmValues, natsPasswordVariable } from '../lib/nats-config.ts'
import { ROOT } from '../lib/roles.ts'

// The NATS users are generated from proto's BUS_ACCESS, and BUS_ACCESS is checked against what each
// process' code really uses: a permission nobody needs, or a call nobody allowed, fails here.

t.test('the NATS server configuration and Helm values are generated from proto', async (t) => {
  t.equal(await readFile(join(ROOT, NATS_CONFIG_FILE), 'utf8'), natsAuthorization(), `${NATS_CONFIG_FILE} is out of date: run node deploy/scripts/nats-config.ts --write`)
  t.equal(await readFile(join(ROOT, NATS_HELM_VALUES_FILE), 'utf8'), natsHelmValues(), `${NATS_HELM_VALUES_FILE} is out of date: run node deploy/scripts/nats-config.ts --write`)
  const values = parse(natsHelmValues()) as { config: { merge: { authorization: { users: { user: string }[] } } } }
  t.same(values.config.merge.authorization.users.map((u) => u.user), [...BUS_IDENTITIES])
})

// Where each process' bus calls are written: its own sources and the libraries that call the bus for it.
const CODE: Record<BusIdentity, string[]> = {
  sources: ['services/sources/src', 'libs/uploads/src'],
  recipes: ['services/recipes/src'],
  runs: ['services/runs/src'],
  matcher: ['services/matcher/src'],
  gateway: ['gateway/src', 'libs/uploads/src']
}

async function sourceText (dirs: string[]): Promise<string> {
  const texts: string[] = []
  for (const dir of dirs) {
    for (const entry of await readdir(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith('.ts')) texts.push(await readFile(join(entry.parentPath, entry.name), 'utf8'))
    }
  }
  return texts.join('\n')
}

type Named = { kind?: string, subject?: string, durable?: string }
const exported = Object.entries(proto as Record<string, unknown>).filter(([, v]) => typeof v === 'object' && v !== null) as [string, Named][]
const nameOf = (value: unknown): string => exported.find(([, v]) => v === value)?.[0] ?? '?'
const used = (text: string, kind: (v: Named) => boolean): string[] =>
  exported.filter(([name, v]) => kind(v) && new RegExp(`\\b${name}\\b`).test(text)).map(([name]) => name).sort()
const isEndpoint = (v: Named): boolean => v.kind === 'endpoint'
const isTopic = (v: Named): boolean => v.kind === 'topic'
const isConsumer = (v: Named): boolean => typeof v.durable === 'string'

for (const identity of BUS_IDENTITIES) {
  t.test(`${identity}: BUS_ACCESS lists exactly the endpoints, topics and consumers its code uses`, async (t) => {
    const text = await sourceText(CODE[identity])
    const access = BUS_ACCESS[identity]
    const sorted = (values: unknown[]): string[] => [...new Set(values.map(nameOf))].sort()
    t.same(sorted([...access.serves, ...access.requests]), used(text, isEndpoint), 'endpoints')
    t.same(sorted([...access.publishes, ...access.follows, ...[...access.consumes, ...access.measures, ...access.deadLetters].map((c) => exported.find(([, v]) => isTopic(v) && v.subject !== undefined && c.filterSubject.startsWith(v.subject))?.[1])]), used(text, isTopic), 'topics')
    t.same(sorted([...access.consumes, ...access.measures, ...access.deadLetters]), used(text, isConsumer), 'consumers')
  })
}

t.test('no process may touch another process\' inbox, and only the runs and matcher processes the job queue', async (t) => {
  for (const identity of BUS_IDENTITIES) {
    const { publish, subscribe } = busPermissions(identity)
    for (const other of BUS_IDENTITIES.filter((o) => o !== identity)) t.notOk(subscribe.some((s) => s.startsWith(`_INBOX_${other}`)), `${identity} cannot read ${other}'s replies`)
    t.notOk([...publish, ...subscribe].some((s) => s === '>' || s.startsWith('$JS.API.>') || s.includes('.DELETE.KALLA_JOBS') || s.includes('STREAM.DELETE') || s.includes('STREAM.PURGE')), `${identity} has no blanket or destructive JetStream rights`)
    const readsJobs = publish.some((s) => s.startsWith('$JS.API.CONSUMER.MSG.NEXT.KALLA_JOBS'))
    t.equal(readsJobs, identity === 'matcher', `${identity} ${readsJobs ? 'reads' : 'does not read'} jobs`)
    const resolves = publish.includes(proto.ResolveSource.subject)
    t.equal(resolves, ['recipes', 'matcher'].includes(identity), `${identity} ${resolves ? 'may' : 'may not'} resolve sources`)
  }
})

t.test('every deployed process connects as its own NATS user with a password from a secret', async (t) => {
  const compose = await readCompose(COMPOSE_FILES.scaled, {}, (name) => `\${${name}}`)
  for (const identity of BUS_IDENTITIES) {
    const env = environmentOf(compose.services[identity] ?? {})
    t.equal(env.NATS_USER, identity, `compose ${identity} NATS_USER`)
    t.equal(env.NATS_PASSWORD, `\${${natsPasswordVariable(identity)}}`, `compose ${identity} NATS_PASSWORD`)
    t.equal(environmentOf(compose.services.nats ?? {})[natsPasswordVariable(identity)], `\${${natsPasswordVariable(identity)}}`, `the NATS server reads ${natsPasswordVariable(identity)}`)
    const manifest = await readFile(join(ROOT, 'deploy/k8s', `${identity}.yaml`), 'utf8')
    t.match(manifest, new RegExp(`name: NATS_USER, value: ${identity} `), `k8s ${identity} NATS_USER`)
    t.match(manifest, new RegExp(`secretKeyRef: \\{ name: kalla-secrets, key: ${natsPasswordVariable(identity)} \\}`), `k8s ${identity} NATS_PASSWORD`)
  }
})
