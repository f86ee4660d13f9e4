import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { Ajv } from 'ajv'
import { DCLinter } from 'dclint'
import { parseAllDocuments } from 'yaml'
import { COMPOSE_FILES, readCompose } from '../lib/compose.ts'
import { K8S_DIR, readKustomization, readManifests, readObjects, type K8sObject } from '../lib/k8s.ts'
import { ROOT } from '../lib/roles.ts'

// The compose files against the current Compose Specification JSON Schema (bundled by the npm package
// dclint) with ajv, as `docker compose` checks them after interpolation, then through dclint's rules; the
// Kubernetes objects against the API's schemas (npm: kubernetes-models and @kubernetes-models/keda,
// validators compiled by ajv).

const dclint = dirname(createRequire(import.meta.url).resolve('dclint/package.json'))
// Draft 07, named by an https URL that ajv knows under its http spelling only.
const { $schema: _draft, ...composeSchema } = JSON.parse(await readFile(join(dclint, 'schemas/compose.schema.json'), 'utf8')) as Record<string, unknown>
const ajv = new Ajv({ strict: false, allErrors: true })
// Compose's own formats: durations such as 1m30s; port specifications are checked by dclint below.
ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/)
ajv.addFormat('ports', true)
ajv.addFormat('expose', true)
const validateCompose = ajv.compile(composeSchema)
const errors = (): string => ajv.errorsText(validateCompose.errors, { separator: '\n' })

t.test('both compose files follow the Compose Specification', async (t) => {
  for (const file of Object.values(COMPOSE_FILES)) {
    const compose = await readCompose(file, {}, (name) => `stand-in-${name}`)
    t.ok(validateCompose(compose), `${file}: ${validateCompose.errors === null || validateCompose.errors === undefined ? 'valid' : errors()}`)
  }
})

t.test('the compose validator rejects what compose rejects', async (t) => {
  const broken = { services: { kalla: { image: 'kalla', healthcheck: { test: ['CMD', 'true'], interval: 'often' }, restart_policy: 'always' } } }
  t.notOk(validateCompose(broken), 'a bad duration and an unknown service key are refused')
})

t.test('both compose files pass dclint: pinned images, ports bound to an interface, no duplicates', async (t) => {
  const linter = new DCLinter({
    rules: {
      // Both keys on purpose: the image is built once and every Kalla service runs it under one tag.
      'no-build-and-image': 0,
      'require-quotes-in-ports': [1, { quoteType: 'double' }],
      // Keys and services are ordered as they start, not alphabetically.
      'service-keys-order': 0,
      'services-alphabetical-order': 0,
      'service-dependencies-alphabetical-order': 0,
      'top-level-properties-order': 0
    },
    quiet: false,
    debug: false,
    exclude: []
  })
  for (const result of linter.lintFiles(Object.values(COMPOSE_FILES).map((f) => join(ROOT, f)), false)) {
    t.same(result.messages.map((m: { line: number, message: string, rule: string }) => `${m.line}: ${m.message} (${m.rule})`), [], result.filePath)
  }
})

type Model = new (data: unknown) => { validate: () => void }

/** The kubernetes-models class for an object's apiVersion and kind; KEDA's come from @kubernetes-models/keda. */
async function modelFor (object: K8sObject): Promise<Model> {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion]
  const path = group === 'keda.sh'
    ? `@kubernetes-models/keda/keda.sh/${version ?? ''}/${object.kind}`
    : `kubernetes-models/${group === '' ? '' : `${group}/`}${version ?? ''}/${object.kind}`
  const module = await import(path) as Record<string, Model | undefined>
  const model = module[object.kind]
  if (model === undefined) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`)
  return model
}

async function validationError (object: K8sObject): Promise<string | undefined> {
  const Model = await modelFor(object)
  try {
    new Model(object).validate()
    return undefined
  } catch (error) {
    return (error as Error).message
  }
}

t.test('every Kubernetes object validates against its API schema', async (t) => {
  const { objects, secret } = await readManifests()
  for (const object of [...objects, secret]) {
    t.equal(await validationError(object), undefined, `${object.kind} ${object.metadata.name}`)
  }
  t.ok(objects.some((o) => o.kind === 'ScaledObject'), 'KEDA objects are among them')
})

t.test('the Kubernetes validators reject invalid objects', async (t) => {
  const [deployment] = (await readObjects('matcher.yaml')).filter((o) => o.kind === 'Deployment')
  if (deployment === undefined) throw new Error('matcher.yaml has no Deployment')
  const broken = structuredClone(deployment) as unknown as { spec: { template: { spec: { containers: { ports: { containerPort: unknown }[] }[] } } } }
  const port = broken.spec.template.spec.containers[0]?.ports[0]
  if (port !== undefined) port.containerPort = 'http'
  t.match(await validationError(broken as unknown as K8sObject), /containerPort/)
  const scaled = (await readObjects('matcher.yaml')).find((o) => o.kind === 'ScaledObject') as K8sObject
  t.match(await validationError({ ...scaled, spec: { ...scaled.spec, minReplicaCount: 'one' } }), /minReplicaCount/)
})

// kubectl's built-in kustomize renders offline; where kubectl is installed (`apt-get install kubectl`), the
// rendered objects are checked too. Cluster-side checks (`kubectl apply -k deploy/k8s --dry-run=server`)
// need a cluster with KEDA's CRDs.
const kubectl = await promisify(execFile)('kubectl', ['version', '--client']).then(() => true, () => false)

t.test('kustomize renders the manifests into the kalla namespace with the pinned image', { skip: kubectl ? false : 'kubectl is not installed' }, async (t) => {
  const rendered = await promisify(execFile)('kubectl', ['kustomize', join(ROOT, K8S_DIR)])
  const objects = parseAllDocuments(rendered.stdout).map((d) => d.toJS() as K8sObject & { metadata: { namespace?: string } })
  const { objects: sources } = await readManifests()
  t.equal(objects.length, sources.length, 'every object is rendered')
  for (const object of objects) {
    t.equal(await validationError(object), undefined, `${object.kind} ${object.metadata.name} still validates`)
    if (object.kind !== 'Namespace') t.equal(object.metadata.namespace, 'kalla', `${object.kind} ${object.metadata.name} is namespaced`)
  }
  const image = (await readKustomization()).images?.find((i) => i.name === 'kalla')
  const images = [...rendered.stdout.matchAll(/image: (\S+)/g)].map((m) => m[1])
  t.same([...new Set(images)], [`${image?.newName ?? 'kalla'}:${image?.newTag ?? ''}`], 'every container runs the pinned image')
})
