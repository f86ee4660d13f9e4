import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { createMemoryBus, silentLogger } from '@kalla/bus'
import { CreateUpload, type Upload } from '@kalla/proto'
import { CodedError } from '@kalla/service'
import { createStorage } from '@kalla/storage'
import { listen } from '@kalla/testing'
import { uploadRoutes } from '../src/index.ts'

const CSV = 'payment_id,amount\nP1,10.50\nP2,7.25\n'

/**
 * The route as the gateway mounts it: files go to local storage and are recorded over an in-process bus
 * by a stand-in for the sources service, which `refuse` can make answer with a coded error.
 */
async function start (t: Test, refuse?: () => Error) {
  const dir = await mkdtemp(join(tmpdir(), 'kalla-uploads-'))
  const storage = createStorage({ type: 'local', root: dir })
  const bus = createMemoryBus({ logger: silentLogger })
  const served = await bus.serve(CreateUpload, async (file): Promise<Upload> => {
    if (refuse !== undefined) throw refuse()
    const now = new Date().toISOString()
    return { upload_id: file.key.split('/')[1] ?? 'x', filename: file.filename, format: 'csv', columns: [], size_bytes: file.size_bytes, key: file.key, created_at: now, expires_at: now }
  }, { queue: 'sources' })
  const app = Fastify()
  await app.register(uploadRoutes, { deps: { storage, maxBytes: 1024, record: async (file) => await bus.request(CreateUpload, file) } })
  t.teardown(async () => {
    await app.close()
    await served.stop()
    await bus.close()
    await rm(dir, { recursive: true, force: true })
  })
  return { base: await listen(app), dir }
}

async function post (base: string, name: string, body: string, field = 'file') {
  const form = new FormData()
  form.append(field, new Blob([body]), name)
  const response = await fetch(`${base}/uploads`, { method: 'POST', body: form })
  return { status: response.status, body: await response.json() as Record<string, unknown> & { error?: { code: string, message: string } } }
}

async function storedFiles (dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name)
}

t.test('an uploaded file is streamed into storage under its upload id and recorded', async (t) => {
  const { base, dir } = await start(t)
  const { status, body } = await post(base, 'bank payments.csv', CSV)
  t.equal(status, 201)
  t.equal(body.filename, 'bank payments.csv')
  t.equal(body.sizeBytes, Buffer.byteLength(CSV))
  t.equal(await readFile(join(dir, 'uploads', String(body.uploadId), 'bank_payments.csv'), 'utf8'), CSV, 'stored byte for byte under a safe name')
})

t.test('an upload the recording service refuses gets that service status and code, and nothing is kept', async (t) => {
  const cases = [
    { code: 'SOURCES_UPLOAD_UNREADABLE', status: 400 },
    { code: 'SOURCES_UPLOAD_TOO_LARGE', status: 413 },
    { code: 'SOURCES_ALREADY_EXISTS', status: 409 },
    { code: 'SOURCES_UNREACHABLE', status: 502 }
  ]
  for (const { code, status } of cases) {
    const { base, dir } = await start(t, () => new CodedError(code, `refused with ${code}`, { statusCode: status }))
    const answer = await post(base, 'p.csv', CSV)
    t.same([answer.status, answer.body.error?.code, answer.body.error?.message], [status, code, `refused with ${code}`], code)
    t.same(await storedFiles(dir), [], `${code}: the stored file is deleted again`)
  }
})

t.test('a service failure is answered as INTERNAL without its details', async (t) => {
  const { base } = await start(t, () => new Error('connect ECONNREFUSED 10.1.2.3:5432'))
  const answer = await post(base, 'p.csv', CSV)
  t.equal(answer.status, 500)
  t.equal(answer.body.error?.code, 'INTERNAL')
  t.notMatch(JSON.stringify(answer.body), /10\.1\.2\.3/)
})

t.test('a file over the limit is refused with 413 and nothing is stored', async (t) => {
  const { base, dir } = await start(t)
  const answer = await post(base, 'big.csv', 'x'.repeat(4096))
  t.same([answer.status, answer.body.error?.code], [413, 'SOURCES_UPLOAD_TOO_LARGE'])
  t.match(answer.body.error?.message, /1 KiB/)
  t.same(await storedFiles(dir), [])
})

t.test('a form without a "file" field says how to send the file', async (t) => {
  const { base } = await start(t)
  const answer = await post(base, 'p.csv', CSV, 'document')
  t.same([answer.status, answer.body.error?.code], [400, 'SOURCES_UPLOAD_MISSING_FILE'])
})
