import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { createLocalStorage, type Storage } from '../src/index.ts'
import { storageContract } from './contract.ts'
import { collect, failsWith, randomStream, tempDir } from './helpers.ts'

async function localStorage (t: Parameters<typeof tempDir>[0], root?: string): Promise<Storage> {
  const storage = createLocalStorage({ root: root ?? join(await tempDir(t), 'objects') })
  t.teardown(() => storage.close())
  return storage
}

t.test('local storage keeps the storage contract', async (t) => {
  storageContract(t, (t) => localStorage(t), { listsInByteOrder: true })
})

t.test('a key is a path under root, and a put leaves no temporary file', async (t) => {
  const root = join(await tempDir(t), 'objects')
  const storage = await localStorage(t, root)
  await storage.put('runs/1/summary.json', '{}')
  t.equal(await readFile(join(root, 'runs', '1', 'summary.json'), 'utf8'), '{}')
  await failsWith(t, storage.put('runs/1/broken', randomStream(1024 * 1024, { failAfter: 1 }).stream), 'STORAGE_WRITE_FAILED')
  t.same(await readdir(join(root, '.partial')), [], 'the failed write is cleaned up')
  t.same(await readdir(join(root, 'runs', '1')), ['summary.json'])
})

t.test('a symbolic link inside root cannot lead a key outside it', async (t) => {
  const dir = await tempDir(t)
  const root = join(dir, 'objects')
  const outside = join(dir, 'outside')
  await mkdir(outside)
  await writeFile(join(outside, 'secret.txt'), 'secret')
  const storage = await localStorage(t, root)
  await storage.ping()
  await symlink(outside, join(root, 'escape'))
  await symlink(join(outside, 'secret.txt'), join(root, 'secret.txt'))
  await failsWith(t, storage.put('escape/planted.txt', 'x'), 'STORAGE_KEY_INVALID')
  await failsWith(t, storage.get('escape/secret.txt'), 'STORAGE_KEY_INVALID')
  await failsWith(t, storage.get('secret.txt'), 'STORAGE_KEY_INVALID')
  await failsWith(t, storage.delete('escape/secret.txt'), 'STORAGE_KEY_INVALID')
  t.same(await collect(storage.list()), [], 'links are not listed')
  t.same((await readdir(outside)).sort(), ['secret.txt'], 'nothing was written outside root')
  t.equal(await readFile(join(outside, 'secret.txt'), 'utf8'), 'secret')
})

t.test('deleting the last object in a folder removes the emptied folders', async (t) => {
  const root = join(await tempDir(t), 'objects')
  const storage = await localStorage(t, root)
  await storage.put('runs/1/a/b.parquet', 'x')
  await storage.put('runs/2/summary.json', 'x')
  await storage.delete('runs/1/a/b.parquet')
  t.same((await readdir(join(root, 'runs'))), ['2'])
  await storage.deletePrefix('runs/')
  t.same((await readdir(root)).filter((name) => name !== '.partial'), [])
})

t.test('on disk a key cannot be both an object and a folder of other keys', async (t) => {
  const storage = await localStorage(t)
  await storage.put('runs/1', 'x')
  t.match(await failsWith(t, storage.put('runs/1/summary.json', 'x'), 'STORAGE_WRITE_FAILED'), /cannot be both an object and the start of other keys/)
  await storage.put('uploads/1/a.csv', 'x')
  await failsWith(t, storage.put('uploads/1', 'x'), 'STORAGE_WRITE_FAILED')
  await storage.delete('uploads/1')
  t.same(await collect(storage.list()), ['runs/1', 'uploads/1/a.csv'])
})

t.test('ping creates the root, and fails when the root cannot be a directory', async (t) => {
  const dir = await tempDir(t)
  const storage = await localStorage(t, join(dir, 'new', 'objects'))
  await storage.ping()
  t.ok((await stat(join(dir, 'new', 'objects'))).isDirectory())
  await writeFile(join(dir, 'file'), 'x')
  const broken = await localStorage(t, join(dir, 'file', 'objects'))
  t.match(await failsWith(t, broken.ping(), 'STORAGE_UNAVAILABLE'), /Storage directory .*file\/objects cannot be used/)
})

t.test('a root is required', async (t) => {
  t.throws(() => createLocalStorage({ root: '' }), { code: 'STORAGE_CONFIG_INVALID' })
})
