import { HeadObjectCommand } from '@aws-sdk/client-s3'
import { createServer } from 'node:net'
import t from 'tap'
import { createS3Storage, isStorageError } from '../src/index.ts'
import { partSize } from '../src/s3-objects.ts'
import { storageContract } from './contract.ts'
import { collect, failsWith, MIB, text } from './helpers.ts'
import { S3RVER_CREDENTIALS, startS3 } from './s3-server.ts'

/** A port that was free a moment ago and has nothing listening on it. */
async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

t.test('S3 storage keeps the storage contract', async (t) => {
  const s3 = await startS3(t)
  storageContract(t, (t) => s3.storage(t), { listsInByteOrder: false })
})

t.test('a prefix keeps every key under it in the bucket', async (t) => {
  const s3 = await startS3(t)
  const bucket = await s3.createBucket()
  const whole = await s3.storage(t, { bucket })
  const tenant = await s3.storage(t, { bucket, prefix: 'tenant-a' })
  await whole.put('elsewhere.txt', 'x')
  await tenant.put('runs/1/summary.json', '{}')
  t.same((await collect(whole.list())).sort(), ['elsewhere.txt', 'tenant-a/runs/1/summary.json'])
  t.same(await collect(tenant.list()), ['runs/1/summary.json'])
  t.equal(await text(await tenant.get('runs/1/summary.json')), '{}')
  t.equal(await tenant.deletePrefix('runs/'), 1)
  t.same(await collect(whole.list()), ['elsewhere.txt'])
  t.throws(() => createS3Storage({ bucket: 'kalla', region: 'us-east-1', prefix: '../x' }), { code: 'STORAGE_CONFIG_INVALID' })
})

t.test('the content type is stored with the object', async (t) => {
  const s3 = await startS3(t)
  const bucket = await s3.createBucket()
  const storage = await s3.storage(t, { bucket })
  await storage.put('uploads/a.csv', 'id\n1\n', { contentType: 'text/csv' })
  const head = await s3.admin.send(new HeadObjectCommand({ Bucket: bucket, Key: 'uploads/a.csv' }))
  t.equal(head.ContentType, 'text/csv')
})

t.test('listing and deleting go past one page of keys', async (t) => {
  const s3 = await startS3(t)
  const storage = await s3.storage(t, { listPageSize: 10 })
  const keys = Array.from({ length: 25 }, (_, i) => `runs/${String(i).padStart(4, '0')}`)
  await Promise.all(keys.map((key) => storage.put(key, 'x')))
  t.same((await collect(storage.list('runs/'))).sort(), keys)
  t.equal(await storage.deletePrefix('runs/'), 25)
  t.same(await collect(storage.list()), [])
  t.throws(() => createS3Storage({ bucket: 'kalla', region: 'us-east-1', listPageSize: 1001 }), { code: 'STORAGE_CONFIG_INVALID' })
})

t.test('ping fails with STORAGE_UNAVAILABLE when nothing listens', async (t) => {
  const storage = createS3Storage({ bucket: 'kalla', region: 'us-east-1', endpoint: `http://127.0.0.1:${await closedPort()}`, forcePathStyle: true, credentials: S3RVER_CREDENTIALS })
  t.teardown(() => storage.close())
  const started = Date.now()
  t.match(await failsWith(t, storage.ping(), 'STORAGE_UNAVAILABLE'), /Storage bucket kalla cannot be used: the service did not answer \(ECONNREFUSED/)
  t.ok(Date.now() - started < 5000, 'fails within seconds')
  await failsWith(t, storage.put('a', 'x'), 'STORAGE_UNAVAILABLE')
})

t.test('ping fails when the bucket does not exist', async (t) => {
  const s3 = await startS3(t)
  const storage = await s3.storage(t, { bucket: 'kalla-missing-bucket' })
  t.match(await failsWith(t, storage.ping(), 'STORAGE_UNAVAILABLE'), /bucket kalla-missing-bucket does not exist/)
})

t.test('wrong credentials are reported without repeating them', async (t) => {
  const s3 = await startS3(t)
  const credentials = { accessKeyId: 'WRONGKEYID', secretAccessKey: 'very-secret-value' }
  const storage = await s3.storage(t, { credentials })
  const pingMessage = await failsWith(t, storage.ping(), 'STORAGE_UNAVAILABLE')
  const error = await storage.put('a', 'x').catch((e: unknown) => e)
  t.equal(isStorageError(error) ? error.code : error, 'STORAGE_ACCESS_DENIED')
  t.equal(isStorageError(error) ? error.cause : 'none', undefined, 'the SDK answer is not kept as a cause')
  for (const message of [pingMessage, isStorageError(error) ? error.message : '']) {
    t.notMatch(message, /very-secret-value|WRONGKEYID/)
    t.match(message, /access was denied/)
  }
})

t.test('configuration is checked, and an endpoint with a password is refused without echoing it', async (t) => {
  const base = { bucket: 'kalla', region: 'us-east-1' }
  t.throws(() => createS3Storage({ ...base, bucket: '' }), { code: 'STORAGE_CONFIG_INVALID' })
  t.throws(() => createS3Storage({ ...base, region: '' }), { code: 'STORAGE_CONFIG_INVALID' })
  t.throws(() => createS3Storage({ ...base, endpoint: 'minio:9000' }), { code: 'STORAGE_CONFIG_INVALID' })
  const error = (() => {
    try {
      createS3Storage({ ...base, endpoint: 'http://admin:hunter2@minio:9000' })
    } catch (e) {
      return e
    }
  })()
  t.ok(isStorageError(error, 'STORAGE_CONFIG_INVALID'))
  t.notMatch(isStorageError(error) ? error.message : '', /hunter2/)
})

t.test('parts grow so that the largest expected object fits in 10,000 of them', async (t) => {
  t.equal(partSize(undefined), 8 * MIB)
  t.equal(partSize(10 * 1024 * MIB), 8 * MIB)
  t.equal(partSize(200 * 1024 * MIB), 21 * MIB)
  t.ok(partSize(5 * 1024 * 1024 * MIB) * 10_000 >= 5 * 1024 * 1024 * MIB)
})
