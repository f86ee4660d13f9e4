import { createReadStream } from 'node:fs'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { setTimeout } from 'node:timers/promises'
import type { Test } from 'tap'
import type { Storage } from '../src/index.ts'
import { collect, failsWith, MIB, randomStream, sha256, tempDir, text } from './helpers.ts'

/** Builds an empty storage for one test and tears it down when the test ends. */
export type MakeStorage = (t: Test) => Promise<Storage>

/** Larger than one upload part (8 MiB), so S3 takes the multipart path. */
const BIG = 12 * MIB

export const BAD_KEYS = [
  '', '/etc/passwd', '../outside', 'a/../../outside', 'a/..', 'a/./b', './a', 'a//b', 'a/', '.hidden', 'a/.partial/x',
  'nul\u0000byte', 'back\\slash', '..\\outside', 'sp ace', 'caf\u00e9', '%2e%2e/outside', 'c:/windows', 'x'.repeat(1025),
  `a/${'y'.repeat(256)}`
]

export interface ContractOptions {
  /** s3rver lists a folder's objects before its siblings ("runs/7/a" before "runs-old/x"); AWS S3 and local disk do not. */
  listsInByteOrder: boolean
}

/** The behaviour every Storage implementation promises, run against each of them. */
export function storageContract (t: Test, make: MakeStorage, options: ContractOptions): void {
  roundTrips(t, make)
  failures(t, make)
  listing(t, make, options)
  files(t, make)
  keysAndLifecycle(t, make)
}

function roundTrips (t: Test, make: MakeStorage): void {
  t.test('text round-trips with its size and modification time', async (t) => {
    const storage = await make(t)
    const before = Date.now() - 2000
    t.same(await storage.put('uploads/7/invoices.csv', 'id,amount\n1,10.00\n', { contentType: 'text/csv' }), { key: 'uploads/7/invoices.csv', sizeBytes: 18 })
    t.equal(await text(await storage.get('uploads/7/invoices.csv')), 'id,amount\n1,10.00\n')
    const stat = await storage.stat('uploads/7/invoices.csv')
    t.equal(stat?.sizeBytes, 18)
    t.ok(stat !== undefined && stat.modifiedAt.getTime() >= before && stat.modifiedAt.getTime() <= Date.now() + 2000, 'modifiedAt is now')
    t.equal(await storage.exists('uploads/7/invoices.csv'), true)
    t.same(await storage.put('empty', Buffer.alloc(0)), { key: 'empty', sizeBytes: 0 })
    t.equal(await text(await storage.get('empty')), '')
  })

  t.test('a multi-megabyte stream round-trips byte for byte', async (t) => {
    const storage = await make(t)
    const source = randomStream(BIG + 12345)
    t.same(await storage.put('runs/1/matched.parquet', source.stream), { key: 'runs/1/matched.parquet', sizeBytes: BIG + 12345 })
    t.same(await sha256(await storage.get('runs/1/matched.parquet')), { hex: source.digest(), bytes: BIG + 12345 })
    t.equal((await storage.stat('runs/1/matched.parquet'))?.sizeBytes, BIG + 12345)
  })

  t.test('put replaces an object whole', async (t) => {
    const storage = await make(t)
    await storage.put('runs/1/summary.json', '{"v":1}')
    await storage.put('runs/1/summary.json', Buffer.from('{"v":2,"done":true}'))
    t.equal(await text(await storage.get('runs/1/summary.json')), '{"v":2,"done":true}')
  })
}

function failures (t: Test, make: MakeStorage): void {
  t.test('an object appears only once its write is complete', async (t) => {
    const storage = await make(t)
    await storage.put('runs/3/summary.json', 'old')
    const body = new PassThrough()
    const writing = storage.put('runs/3/summary.json', body)
    body.write(Buffer.alloc(MIB, 1))
    await setTimeout(100)
    t.equal(await text(await storage.get('runs/3/summary.json')), 'old', 'readers still see the previous object')
    t.same(await collect(storage.list('runs/')), ['runs/3/summary.json'], 'nothing else is visible')
    body.end(Buffer.alloc(MIB, 2))
    t.same(await writing, { key: 'runs/3/summary.json', sizeBytes: 2 * MIB })
    t.equal((await storage.stat('runs/3/summary.json'))?.sizeBytes, 2 * MIB)
  })

  t.test('a source that fails leaves no object and keeps the previous one', async (t) => {
    const storage = await make(t)
    const small = randomStream(MIB, { failAfter: 256 * 1024 })
    t.match(await failsWith(t, storage.put('uploads/broken.csv', small.stream), 'STORAGE_WRITE_FAILED'), /uploads\/broken\.csv was not stored: .*the source broke off/)
    t.equal(await storage.stat('uploads/broken.csv'), undefined)
    await storage.put('uploads/kept.csv', 'old')
    const big = randomStream(BIG * 2, { failAfter: BIG })
    await failsWith(t, storage.put('uploads/kept.csv', big.stream), 'STORAGE_WRITE_FAILED')
    t.equal(await text(await storage.get('uploads/kept.csv')), 'old')
    t.same(await collect(storage.list('uploads/')), ['uploads/kept.csv'])
  })

  t.test('maxBytes refuses larger bodies and stores nothing', async (t) => {
    const storage = await make(t)
    const small = randomStream(MIB)
    t.match(await failsWith(t, storage.put('uploads/a.csv', small.stream, { maxBytes: 1000 }), 'STORAGE_TOO_LARGE'), /larger than the limit of 1000 bytes/)
    t.ok(small.stream.destroyed, 'the source is not read further')
    await failsWith(t, storage.put('uploads/b.csv', 'x'.repeat(11), { maxBytes: 10 }), 'STORAGE_TOO_LARGE')
    const big = randomStream(BIG + MIB)
    await failsWith(t, storage.put('uploads/c.csv', big.stream, { maxBytes: BIG }), 'STORAGE_TOO_LARGE')
    t.same(await collect(storage.list()), [], 'nothing is left behind')
    t.same(await storage.put('uploads/d.csv', 'x'.repeat(10), { maxBytes: 10 }), { key: 'uploads/d.csv', sizeBytes: 10 }, 'exactly the limit is allowed')
  })

  t.test('a missing object is not found, and deleting it is not an error', async (t) => {
    const storage = await make(t)
    t.match(await failsWith(t, storage.get('runs/404/summary.json'), 'STORAGE_NOT_FOUND'), /runs\/404\/summary\.json does not exist/)
    t.equal(await storage.stat('runs/404/summary.json'), undefined)
    t.equal(await storage.exists('runs/404/summary.json'), false)
    await storage.delete('runs/404/summary.json')
    await storage.put('runs/1/summary.json', '{}')
    await storage.delete('runs/1/summary.json')
    await storage.delete('runs/1/summary.json')
    t.equal(await storage.exists('runs/1/summary.json'), false)
    t.equal(await storage.exists('runs/1'), false, 'a prefix is not an object')
    await failsWith(t, storage.get('runs'), 'STORAGE_NOT_FOUND')
  })
}

function listing (t: Test, make: MakeStorage, options: ContractOptions): void {
  const listed = async (keys: AsyncIterable<string>): Promise<string[]> => {
    const all = await collect(keys)
    return options.listsInByteOrder ? all : all.sort()
  }

  t.test('list yields the keys under a prefix', async (t) => {
    const storage = await make(t)
    const keys = ['runs/7/matched.parquet', 'runs/7/summary.json', 'runs/70/summary.json', 'runs/8/summary.json', 'runs-old/x', 'runs0', 'uploads/a.csv', 'a=1/b']
    for (const key of keys) await storage.put(key, key)
    t.same(await listed(storage.list()), [...keys].sort())
    t.same(await listed(storage.list('runs/7/')), ['runs/7/matched.parquet', 'runs/7/summary.json'])
    t.same(await listed(storage.list('runs/7')), ['runs/7/matched.parquet', 'runs/7/summary.json', 'runs/70/summary.json'])
    t.same(await listed(storage.list('runs')), ['runs-old/x', 'runs/7/matched.parquet', 'runs/7/summary.json', 'runs/70/summary.json', 'runs/8/summary.json', 'runs0'])
    t.same(await collect(storage.list('runs/7/summary.json')), ['runs/7/summary.json'])
    t.same(await collect(storage.list('nothing/')), [])
  })

  t.test('deletePrefix removes exactly the keys under the prefix', async (t) => {
    const storage = await make(t)
    for (const key of ['runs/7/a', 'runs/7/b/c', 'runs/70/a', 'runs/8/a']) await storage.put(key, 'x')
    t.equal(await storage.deletePrefix('runs/7/'), 2)
    t.same(await listed(storage.list()), ['runs/70/a', 'runs/8/a'])
    t.equal(await storage.deletePrefix('runs/7/'), 0, 'deleting again finds nothing')
    t.equal(await storage.deletePrefix('runs/'), 2)
    t.same(await collect(storage.list()), [])
    t.match(await failsWith(t, storage.deletePrefix(''), 'STORAGE_KEY_INVALID'), /delete everything/)
  })
}

function files (t: Test, make: MakeStorage): void {
  t.test('upload and download stream files and appear only when complete', async (t) => {
    const storage = await make(t)
    const dir = await tempDir(t)
    const source = randomStream(BIG)
    const local = join(dir, 'source.parquet')
    await writeFile(local, source.stream)
    t.same(await storage.upload(local, 'runs/2/matched.parquet', { contentType: 'application/vnd.apache.parquet' }), { key: 'runs/2/matched.parquet', sizeBytes: BIG })
    const target = join(dir, 'work', 'job-2', 'matched.parquet')
    t.same(await storage.download('runs/2/matched.parquet', target), { path: target, sizeBytes: BIG })
    t.same(await sha256(createReadStream(target)), { hex: source.digest(), bytes: BIG })
    await failsWith(t, storage.download('runs/2/missing.parquet', join(dir, 'work', 'missing.parquet')), 'STORAGE_NOT_FOUND')
    t.same((await readdir(join(dir, 'work', 'job-2'))), ['matched.parquet'], 'no partial files are left')
    await failsWith(t, storage.upload(join(dir, 'nope.csv'), 'uploads/nope.csv'), 'STORAGE_FILE_NOT_FOUND')
    await failsWith(t, storage.upload(local, 'uploads/limited.parquet', { maxBytes: MIB }), 'STORAGE_TOO_LARGE')
    t.equal(await storage.exists('uploads/limited.parquet'), false)
    t.equal((await readFile(target)).length, BIG)
  })
}

function keysAndLifecycle (t: Test, make: MakeStorage): void {
  t.test('invalid keys and traversal attempts are refused by every operation', async (t) => {
    const storage = await make(t)
    const dir = await tempDir(t)
    for (const key of BAD_KEYS) {
      const name = JSON.stringify(key.slice(0, 40))
      t.equal(await codeOf(storage.put(key, 'x')), 'STORAGE_KEY_INVALID', `put ${name}`)
      t.equal(await codeOf(storage.get(key)), 'STORAGE_KEY_INVALID', `get ${name}`)
      t.equal(await codeOf(storage.stat(key)), 'STORAGE_KEY_INVALID', `stat ${name}`)
      t.equal(await codeOf(storage.delete(key)), 'STORAGE_KEY_INVALID', `delete ${name}`)
      t.equal(await codeOf(storage.download(key, join(dir, 'x'))), 'STORAGE_KEY_INVALID', `download ${name}`)
    }
    for (const prefix of ['../', '/', 'a//', '..', '.partial/']) {
      t.equal(await codeOf(collect(storage.list(prefix))), 'STORAGE_KEY_INVALID', `list ${prefix}`)
      t.equal(await codeOf(storage.deletePrefix(prefix)), 'STORAGE_KEY_INVALID', `deletePrefix ${prefix}`)
    }
    t.same(await collect(storage.list()), [], 'nothing was written')
    for (const key of ['uploads/2024-01-31/file_name.v2.csv', 'a=b/c+d@e,f~(g)', 'x'.repeat(200)]) {
      t.same(await storage.put(key, 'ok'), { key, sizeBytes: 2 }, `accepts ${key.slice(0, 40)}`)
    }
  })

  t.test('ping succeeds, and a closed storage refuses work', async (t) => {
    const storage = await make(t)
    await storage.ping()
    await storage.close()
    await storage.close()
    await failsWith(t, storage.put('a', 'x'), 'STORAGE_CLOSED')
    await failsWith(t, collect(storage.list()), 'STORAGE_CLOSED')
  })
}

async function codeOf (promise: Promise<unknown>): Promise<string> {
  return promise.then(() => 'resolved', (error: unknown) => (error as { code?: string }).code ?? String(error))
}
