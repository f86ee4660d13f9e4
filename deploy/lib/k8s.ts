import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse, parseAllDocuments } from 'yaml'
import { ROOT } from './roles.ts'

export const K8S_DIR = 'deploy/k8s'

/** The fields of Kubernetes objects the checks read; everything else is validated against the API schemas. */
export interface K8sObject {
  apiVersion: string
  kind: string
  metadata: { name: string, labels?: Record<string, string>, annotations?: Record<string, string> }
  spec?: Record<string, unknown>
  data?: Record<string, string>
  stringData?: Record<string, string>
}

export interface EnvVar { name: string, value?: string, valueFrom?: { secretKeyRef?: { name: string, key: string, optional?: boolean }, configMapKeyRef?: { name: string, key: string } } }
export interface Probe { httpGet?: { path: string, port: string | number } }
export interface Container {
  name: string
  image: string
  command?: string[]
  args?: string[]
  ports?: { name?: string, containerPort: number }[]
  env?: EnvVar[]
  envFrom?: { configMapRef?: { name: string }, secretRef?: { name: string } }[]
  readinessProbe?: Probe
  livenessProbe?: Probe
  resources?: { requests?: Record<string, string>, limits?: Record<string, string> }
}
export interface PodSpec { containers: Container[], terminationGracePeriodSeconds?: number }

/** Where a container's variable comes from, after resolving ConfigMap and Secret references. */
export interface ResolvedVar { value?: string, secret?: string, optional?: boolean }

export async function readKustomization (): Promise<{ resources: string[], images?: { name: string, newName?: string, newTag?: string }[] }> {
  return parse(await readFile(join(ROOT, K8S_DIR, 'kustomization.yaml'), 'utf8'))
}

/** Every object of the files the kustomization lists, plus the example Secret the manifests refer to. */
export async function readManifests (): Promise<{ objects: K8sObject[], secret: K8sObject }> {
  const { resources } = await readKustomization()
  const objects: K8sObject[] = []
  for (const file of resources) objects.push(...await readObjects(file))
  const [secret] = await readObjects('secret.example.yaml')
  if (secret === undefined) throw new Error('secret.example.yaml holds no Secret')
  return { objects, secret }
}

export async function readObjects (file: string): Promise<K8sObject[]> {
  const docs = parseAllDocuments(await readFile(join(ROOT, K8S_DIR, file), 'utf8'))
  return docs.map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`)
    return d.toJS() as K8sObject
  }).filter((o) => o !== null)
}

export function find (objects: K8sObject[], kind: string, name: string): K8sObject {
  const object = objects.find((o) => o.kind === kind && o.metadata.name === name)
  if (object === undefined) throw new Error(`no ${kind} named ${name}`)
  return object
}

export function podSpec (workload: K8sObject): PodSpec {
  return (workload.spec as { template: { spec: PodSpec } }).template.spec
}

/** A container's environment with envFrom ConfigMaps and Secrets and single-key references resolved. */
export function resolveEnv (container: Container, objects: K8sObject[], secret: K8sObject): Map<string, ResolvedVar> {
  const env = new Map<string, ResolvedVar>()
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef !== undefined) {
      for (const [k, v] of Object.entries(find(objects, 'ConfigMap', from.configMapRef.name).data ?? {})) env.set(k, { value: v })
    }
    if (from.secretRef !== undefined) {
      for (const k of Object.keys(secretData(secret, from.secretRef.name))) env.set(k, { secret: from.secretRef.name })
    }
  }
  for (const v of container.env ?? []) {
    const s = v.valueFrom?.secretKeyRef
    const c = v.valueFrom?.configMapKeyRef
    if (s !== undefined) env.set(v.name, { secret: s.name, ...(s.optional === true ? { optional: true } : {}) })
    else if (c !== undefined) env.set(v.name, { value: find(objects, 'ConfigMap', c.name).data?.[c.key] })
    else env.set(v.name, { value: v.value ?? '' })
  }
  return env
}

export function secretData (secret: K8sObject, name: string): Record<string, string> {
  if (secret.metadata.name !== name) throw new Error(`the manifests refer to Secret ${name}; secret.example.yaml defines ${secret.metadata.name}`)
  return { ...secret.data, ...secret.stringData }
}

/** The container port a probe reaches, resolving a named port. */
export function probePort (container: Container, probe: Probe | undefined): number | undefined {
  const port = probe?.httpGet?.port
  if (typeof port === 'number') return port
  return container.ports?.find((p) => p.name === port)?.containerPort
}

const UNITS: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 }

/** A Kubernetes quantity ("3Gi", "500m", "2") as a number (bytes or cores). */
export function quantity (text: string | undefined): number {
  const match = /^([0-9.]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(text ?? '')
  if (match === null) throw new Error(`not a quantity: ${text}`)
  const n = Number(match[1])
  return match[2] === 'm' ? n / 1000 : n * (UNITS[match[2] ?? ''] ?? 1)
}

/** DuckDB's memory_limit syntax (KB, MB, GB are powers of 1000; KiB, MiB, GiB of 1024) in bytes. */
export function engineBytes (text: string): number {
  const match = /^([0-9.]+)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/.exec(text)
  if (match === null) throw new Error(`not a DuckDB memory size: ${text}`)
  const factor = { KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 }[match[2] as 'KB']
  return Number(match[1]) * factor
}
