import { randomUUID } from 'node:crypto'
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import S3rver from 's3rver'
import type { Test } from 'tap'
import { createS3Storage, type S3StorageConfig, type Storage } from '../src/index.ts'
import { tempDir } from './helpers.ts'
import { allowS3rverDes, S3RVER_CREDENTIALS } from '@kalla/testing'

export { S3RVER_CREDENTIALS }

export interface S3Server {
  endpoint: string
  /** A client of its own, to look at the bucket from outside the storage under test. */
  admin: S3Client
  /** A new, empty bucket with a random name. */
  createBucket: () => Promise<string>
  /** Storage over a new bucket, closed when `t` ends. */
  storage: (t: Test, overrides?: Partial<S3StorageConfig>) => Promise<Storage>
}

/** An S3 server on a random port of 127.0.0.1 for the tests of `t`, stopped when they end. */
export async function startS3 (t: Test): Promise<S3Server> {
  allowS3rverDes()
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: await tempDir(t) })
  const { port } = await server.run()
  const endpoint = `http://127.0.0.1:${port}`
  const admin = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: S3RVER_CREDENTIALS })
  t.teardown(async () => {
    admin.destroy()
    await server.close()
  })
  const createBucket = async (): Promise<string> => {
    const bucket = `kalla-test-${randomUUID().slice(0, 8)}`
    await admin.send(new CreateBucketCommand({ Bucket: bucket }))
    return bucket
  }
  const storage = async (t: Test, overrides: Partial<S3StorageConfig> = {}): Promise<Storage> => {
    const config = { bucket: await createBucket(), region: 'us-east-1', endpoint, forcePathStyle: true, credentials: S3RVER_CREDENTIALS }
    const created = createS3Storage({ ...config, ...overrides })
    t.teardown(() => created.close())
    return created
  }
  return { endpoint, admin, createBucket, storage }
}
