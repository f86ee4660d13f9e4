import crypto, { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import S3rver from 's3rver'

/** s3rver's built-in account: it checks request signatures against these. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }

export interface S3Server { endpoint: string, bucket: string, stop: () => Promise<void> }

type CipherFactory = (algorithm: string, key: Buffer, iv: Buffer) => unknown
let desAllowed = false

/**
 * s3rver encrypts list continuation tokens with single DES, which OpenSSL 3 no longer offers; triple DES
 * with the key repeated is the same cipher. Only s3rver asks for 'des' in a test process.
 */
export function allowS3rverDes (): void {
  if (desAllowed) return
  desAllowed = true
  const factories = crypto as unknown as Record<'createCipheriv' | 'createDecipheriv', CipherFactory>
  for (const name of ['createCipheriv', 'createDecipheriv'] as const) {
    const original = factories[name]
    factories[name] = (algorithm, key, iv) =>
      algorithm === 'des' ? original('des-ede3-cbc', Buffer.concat([key, key, key]), iv) : original(algorithm, key, iv)
  }
}

/** An S3-compatible server (s3rver, the real S3 wire protocol) on a free loopback port, with one new bucket. */
export async function startS3Server (): Promise<S3Server> {
  allowS3rverDes()
  const directory = await mkdtemp(join(tmpdir(), 'kalla-s3-'))
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory })
  const { port } = await server.run()
  const endpoint = `http://127.0.0.1:${port}`
  const bucket = `kalla-${randomUUID().slice(0, 8)}`
  const admin = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: S3RVER_CREDENTIALS })
  await admin.send(new CreateBucketCommand({ Bucket: bucket }))
  admin.destroy()
  return {
    endpoint,
    bucket,
    stop: async () => {
      await server.close()
      await rm(directory, { recursive: true, force: true })
    }
  }
}
