import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import S3rver from 's3rver'
import { GetUpload, RegisterSource } from '@kalla/proto'
import { createStorage } from '@kalla/storage'
import { listen, postFile, startSources } from './helpers.ts'

const BUCKET = 'kalla-uploads'
// s3rver's built-in account: it checks request signatures against these.
const CREDENTIALS = { S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER' }

t.test('with S3 storage, uploads are downloaded to a temporary file to be read, and refused ones deleted', async (t) => {
  const directory = await mkdtemp(join(tmpdir(), 'kalla-s3rver-'))
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: BUCKET, configs: [] }] })
  const { port } = await server.run()
  t.teardown(async () => {
    await server.close()
    await rm(directory, { recursive: true, force: true })
  })
  const endpoint = `http://127.0.0.1:${port}`
  const workDir = await mkdtemp(join(tmpdir(), 'kalla-sources-work-'))
  t.teardown(() => rm(workDir, { recursive: true, force: true }))
  const harness = await startSources(t, { S3_BUCKET: BUCKET, S3_ENDPOINT: endpoint, S3_FORCE_PATH_STYLE: 'true', SOURCES_WORK_DIR: workDir, ...CREDENTIALS })
  const base = await listen(harness.app)
  const bucket = createStorage({ type: 's3', bucket: BUCKET, region: 'us-east-1', endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } })
  t.teardown(() => bucket.close())

  const csv = await postFile(base, 'ledger.csv', 'entry,amount\nE1,1.25\nE2,10\n')
  t.equal(csv.status, 201)
  t.same(csv.body.columns, [{ name: 'entry', type: 'VARCHAR' }, { name: 'amount', type: 'DECIMAL(18,2)' }])
  const upload = await harness.bus.request(GetUpload, { upload_id: csv.body.uploadId })
  t.ok(await bucket.exists(upload.key), 'the file is in the bucket')

  const source = await harness.bus.request(RegisterSource, { alias: 'ledger', type: 'file', uri: upload.key })
  t.equal(source.columns.length, 2, 'a file source in S3 is introspected the same way')

  const broken = await postFile(base, 'broken.parquet', 'not parquet\n')
  t.same([broken.status, broken.body.error.code], [400, 'SOURCES_UPLOAD_UNREADABLE'])
  const keys: string[] = []
  for await (const key of bucket.list('uploads/')) keys.push(key)
  t.same(keys, [upload.key], 'the refused file is deleted from the bucket')

  t.same(await readdir(workDir), [], 'temporary downloads are removed')
})
