import type { S3Client } from '@aws-sdk/client-s3'
import { StorageError } from './errors.ts'
import { keyProblem } from './keys.ts'
import type * as S3Objects from './s3-objects.ts'
import type { Bucket } from './s3-objects.ts'
import { createStorageFrom } from './storage.ts'
import type { Storage } from './types.ts'

export interface S3StorageConfig {
  bucket: string
  region: string
  /** For S3-compatible services (MinIO...): the service's URL, e.g. http://minio:9000. */
  endpoint?: string
  /** Address buckets as endpoint/bucket rather than bucket.endpoint; MinIO usually needs it. */
  forcePathStyle?: boolean
  /** Without them the SDK's default chain applies (environment, shared files, instance or task role). */
  credentials?: { accessKeyId: string, secretAccessKey: string, sessionToken?: string }
  /** Every key is stored under this prefix, so one bucket can serve several deployments. */
  prefix?: string
  /** Keys fetched per list request: 1000 (S3's maximum) unless a service needs smaller pages. */
  listPageSize?: number
}

interface Opened { bucket: Bucket, objects: typeof S3Objects }

const CONNECT_TIMEOUT_MS = 5_000
const MAX_PAGE_SIZE = 1000

/**
 * Storage in an S3 bucket (AWS S3, MinIO or another S3-compatible service). Writes are multipart
 * uploads that S3 makes visible only when complete; a failed upload is aborted.
 *
 * @example const storage = createS3Storage({ bucket: 'kalla', region: 'us-east-1', endpoint: 'http://minio:9000', forcePathStyle: true })
 */
export function createS3Storage (config: S3StorageConfig): Storage {
  const prefix = checkedPrefix(config)
  // The AWS SDK is hundreds of modules: loaded with the first request, so a service starts without it.
  let client: S3Client | undefined
  let opened: Promise<Opened> | undefined
  const open = async (): Promise<Opened> => await (opened ??= (async () => {
    const [{ S3Client }, objects] = await Promise.all([import('@aws-sdk/client-s3'), import('./s3-objects.ts')])
    client = new S3Client({
      region: config.region,
      endpoint: config.endpoint,
      forcePathStyle: config.forcePathStyle,
      credentials: config.credentials,
      // An unreachable endpoint should fail a request in seconds, not after the operating system gives up.
      requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS }
    })
    return { bucket: { client, name: config.bucket, prefix, pageSize: config.listPageSize ?? MAX_PAGE_SIZE }, objects }
  })())
  return createStorageFrom({
    kind: 's3',
    where: (key) => `s3://${config.bucket}/${prefix}${key}`,
    write: async (key, body, options) => { const { bucket, objects } = await open(); await objects.uploadObject(bucket, key, body, options) },
    read: async (key) => { const { bucket, objects } = await open(); return await objects.getObject(bucket, key) },
    stat: async (key) => { const { bucket, objects } = await open(); return await objects.headObject(bucket, key) },
    remove: async (keys) => { const { bucket, objects } = await open(); await objects.deleteObjects(bucket, keys) },
    list: async function * (listPrefix) { const { bucket, objects } = await open(); yield * objects.listKeys(bucket, listPrefix) },
    ping: async () => { const { bucket, objects } = await open(); await objects.pingBucket(bucket) },
    close: async () => { client?.destroy() }
  })
}

/** Checks the configuration and returns the key prefix, "" or ending in "/". */
function checkedPrefix (config: S3StorageConfig): string {
  const invalid = (reason: string): StorageError => new StorageError('STORAGE_CONFIG_INVALID', `S3 storage configuration is not valid: ${reason}.`)
  if (typeof config.bucket !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/.test(config.bucket)) throw invalid('bucket must be a bucket name')
  if (typeof config.region !== 'string' || config.region === '') throw invalid('region is required (any value for MinIO, e.g. us-east-1)')
  if (config.endpoint !== undefined) {
    const url = URL.parse(config.endpoint)
    // The URL itself is not repeated: it may carry a password.
    if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw invalid('endpoint must be an http:// or https:// URL')
    if (url.username !== '' || url.password !== '') throw invalid('endpoint must not contain credentials; pass them as credentials')
  }
  const pageSize = config.listPageSize
  if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= MAX_PAGE_SIZE)) {
    throw invalid(`listPageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
  }
  const prefix = (config.prefix ?? '').replace(/\/+$/, '')
  if (prefix === '') return ''
  const problem = keyProblem(prefix)
  if (problem !== undefined) throw invalid(`prefix ${problem}`)
  return `${prefix}/`
}
