import { Readable } from 'node:stream'
import t from 'tap'
import { createStorageFrom } from '../src/storage.ts'
import type { Backend } from '../src/types.ts'
import { collect, failsWith, text } from './helpers.ts'

/** A backend in memory that records what it was asked to do. */
function memoryBackend (): Backend & { objects: Map<string, Buffer>, removals: number[], hints: (number | undefined)[] } {
  const objects = new Map<string, Buffer>()
  const removals: number[] = []
  const hints: (number | undefined)[] = []
  return {
    kind: 'local',
    objects,
    removals,
    hints,
    where: (key) => `memory:${key}`,
    write: async (key, body, options) => {
      hints.push(options.sizeHint)
      const chunks: Buffer[] = []
      for await (const chunk of body) chunks.push(chunk as Buffer)
      objects.set(key, Buffer.concat(chunks))
    },
    read: async (key) => Readable.from([objects.get(key) ?? Buffer.alloc(0)]),
    stat: async (key) => {
      const body = objects.get(key)
      return body === undefined ? undefined : { sizeBytes: body.length, modifiedAt: new Date() }
    },
    remove: async (keys) => {
      removals.push(keys.length)
      for (const key of keys) objects.delete(key)
    },
    list: async function * (prefix) {
      yield * [...objects.keys()].filter((key) => key.startsWith(prefix)).sort()
    },
    ping: async () => {},
    close: async () => {}
  }
}

t.test('deletePrefix deletes in batches of at most 1000 keys', async (t) => {
  const backend = memoryBackend()
  const storage = createStorageFrom(backend)
  for (let i = 0; i < 2005; i++) backend.objects.set(`runs/${String(i).padStart(4, '0')}`, Buffer.from('x'))
  backend.objects.set('uploads/a', Buffer.from('x'))
  t.equal(await storage.deletePrefix('runs/'), 2005)
  t.same(backend.removals, [1000, 1000, 5])
  t.same(await collect(storage.list()), ['uploads/a'])
})

t.test('the backend learns the exact size of a body in memory, or the limit of a stream', async (t) => {
  const backend = memoryBackend()
  const storage = createStorageFrom(backend)
  await storage.put('a', 'hello')
  await storage.put('b', Readable.from([Buffer.from('hello')]), { maxBytes: 100 })
  await storage.put('c', Readable.from([Buffer.from('hello')]))
  t.same(backend.hints, [5, 100, undefined])
  t.equal(await text(await storage.get('b')), 'hello')
})

t.test('a string is stored as UTF-8 and counted in bytes', async (t) => {
  const storage = createStorageFrom(memoryBackend())
  t.same(await storage.put('a', 'caf\u00e9'), { key: 'a', sizeBytes: 5 })
  await failsWith(t, storage.put('b', 'caf\u00e9', { maxBytes: 4 }), 'STORAGE_TOO_LARGE')
})

t.test('a failing backend is reported with its key, and the source is released', async (t) => {
  const backend = memoryBackend()
  backend.write = async () => { throw new Error('disk on fire') }
  const storage = createStorageFrom(backend)
  const source = Readable.from((function * () { for (;;) yield Buffer.alloc(1024) })())
  t.match(await failsWith(t, storage.put('a', source), 'STORAGE_WRITE_FAILED'), /memory:a was not stored: disk on fire/)
  await new Promise((resolve) => setImmediate(resolve))
  t.ok(source.destroyed, 'the source stream is destroyed')
})

t.test('a stream that breaks off while being read fails with STORAGE_READ_FAILED', async (t) => {
  const backend = memoryBackend()
  backend.read = async () => Readable.from((async function * () {
    yield Buffer.from('first part')
    throw new Error('connection reset')
  })())
  const storage = createStorageFrom(backend)
  t.match(await failsWith(t, text(await storage.get('a')), 'STORAGE_READ_FAILED'), /memory:a could not be read in full: connection reset/)
})
