import {
  DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, paginateListObjectsV2, type S3Client
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { Readable } from 'node:stream'
import { StorageError } from './errors.ts'
import { isValidKey, MAX_KEY_LENGTH } from './keys.ts'
import { fromS3Error, isS3NotFound } from './s3-errors.ts'
import type { ObjectStat } from './types.ts'

/** Parts are held in memory while they upload: PART_QUEUE of them at a time. */
const MIN_PART_SIZE = 8 * 1024 * 1024
const MAX_PARTS = 10_000
const PART_QUEUE = 4
const PING_TIMEOUT_MS = 10_000

/** One bucket (and key prefix) reached through one client. */
export interface Bucket {
  client: S3Client
  name: string
  /** "" or a prefix ending in "/". */
  prefix: string
  pageSize: number
}

export function where (bucket: Bucket, key: string): string {
  return `s3://${bucket.name}/${bucket.prefix}${key}`
}

function objectKey (bucket: Bucket, key: string): string {
  if (bucket.prefix.length + key.length > MAX_KEY_LENGTH) {
    throw new StorageError('STORAGE_KEY_INVALID', `Storage key ${JSON.stringify(key)} is not valid: with the prefix ${bucket.prefix} it is longer than ${MAX_KEY_LENGTH} characters.`)
  }
  return bucket.prefix + key
}

/** Large enough that the biggest expected object fits in S3's 10,000 parts; at least 8 MiB. */
export function partSize (sizeHint: number | undefined): number {
  const needed = Math.ceil((sizeHint ?? 0) / MAX_PARTS)
  return Math.max(MIN_PART_SIZE, Math.ceil(needed / 1024 / 1024) * 1024 * 1024)
}

/** A multipart upload (or one PutObject when the body fits in a part); lib-storage aborts it when it fails. */
export async function uploadObject (bucket: Bucket, key: string, body: Readable, options: { contentType?: string, sizeHint?: number }): Promise<void> {
  const upload = new Upload({
    client: bucket.client,
    params: { Bucket: bucket.name, Key: objectKey(bucket, key), Body: body, ContentType: options.contentType },
    partSize: partSize(options.sizeHint),
    queueSize: PART_QUEUE,
    leavePartsOnError: false
  })
  try {
    await upload.done()
  } catch (error) {
    throw fromS3Error(error, 'STORAGE_WRITE_FAILED', `${where(bucket, key)} was not stored`, bucket.name)
  }
}

export async function getObject (bucket: Bucket, key: string): Promise<Readable> {
  const command = new GetObjectCommand({ Bucket: bucket.name, Key: objectKey(bucket, key) })
  const output = await bucket.client.send(command).catch((error: unknown) => {
    if (isS3NotFound(error)) throw new StorageError('STORAGE_NOT_FOUND', `${where(bucket, key)} does not exist.`)
    throw fromS3Error(error, 'STORAGE_READ_FAILED', `${where(bucket, key)} cannot be read`, bucket.name)
  })
  if (!(output.Body instanceof Readable)) throw new StorageError('STORAGE_READ_FAILED', `${where(bucket, key)} cannot be read: the SDK returned no stream.`)
  return output.Body
}

export async function headObject (bucket: Bucket, key: string): Promise<ObjectStat | undefined> {
  try {
    const head = await bucket.client.send(new HeadObjectCommand({ Bucket: bucket.name, Key: objectKey(bucket, key) }))
    return { sizeBytes: head.ContentLength ?? 0, modifiedAt: head.LastModified ?? new Date(0) }
  } catch (error) {
    if (isS3NotFound(error)) return undefined
    throw fromS3Error(error, 'STORAGE_READ_FAILED', `${where(bucket, key)} cannot be read`, bucket.name)
  }
}

/** One key takes the plain DeleteObject, which S3-compatible services support without checksums. */
export async function deleteObjects (bucket: Bucket, keys: readonly string[]): Promise<void> {
  const objects = keys.map((key) => ({ Key: objectKey(bucket, key) }))
  const context = `${where(bucket, keys[0] ?? '')}${keys.length > 1 ? ` and ${keys.length - 1} more` : ''} could not be deleted`
  try {
    const [first] = objects
    if (objects.length === 1 && first !== undefined) {
      await bucket.client.send(new DeleteObjectCommand({ Bucket: bucket.name, Key: first.Key }))
      return
    }
    if (objects.length === 0) return
    const output = await bucket.client.send(new DeleteObjectsCommand({ Bucket: bucket.name, Delete: { Objects: objects, Quiet: true } }))
    const failed = output.Errors ?? []
    if (failed[0] !== undefined) {
      throw new StorageError('STORAGE_DELETE_FAILED', `${context}: ${failed.length} refused, e.g. ${failed[0].Key ?? '?'} (${failed[0].Code ?? 'unknown'}: ${failed[0].Message ?? ''}).`)
    }
  } catch (error) {
    throw fromS3Error(error, 'STORAGE_DELETE_FAILED', context, bucket.name)
  }
}

export async function * listKeys (bucket: Bucket, listPrefix: string): AsyncGenerator<string> {
  const pages = paginateListObjectsV2({ client: bucket.client, pageSize: bucket.pageSize }, { Bucket: bucket.name, Prefix: bucket.prefix + listPrefix })
  try {
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        const key = object.Key?.slice(bucket.prefix.length)
        // Folder markers ("runs/") and names made by other tools are not keys this library can address.
        if (isValidKey(key)) yield key
      }
    }
  } catch (error) {
    throw fromS3Error(error, 'STORAGE_READ_FAILED', `${where(bucket, listPrefix)}* cannot be listed`, bucket.name)
  }
}

/** HeadBucket: the cheapest request that proves the endpoint answers, the credentials work and the bucket exists. */
export async function pingBucket (bucket: Bucket): Promise<void> {
  try {
    await bucket.client.send(new HeadBucketCommand({ Bucket: bucket.name }), { abortSignal: AbortSignal.timeout(PING_TIMEOUT_MS) })
  } catch (error) {
    const reason = fromS3Error(error, 'STORAGE_UNAVAILABLE', `Storage bucket ${bucket.name} cannot be used`, bucket.name)
    throw new StorageError('STORAGE_UNAVAILABLE', reason.message, { cause: reason.cause })
  }
}
