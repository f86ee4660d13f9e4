import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import t from 'tap'
import { createLogger } from '@kalla/service'
import { localAdminKey } from '../src/admin-key.ts'
import { loadSingleConfig } from '../src/config.ts'

t.test('a fresh data directory gets an admin key in a 0600 file whose path, not the key, is logged; later starts reuse it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kalla-admin-key-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const lines: string[] = []
  const log = createLogger({ name: 'test', level: 'info', destination: new Writable({ write: (chunk: Buffer, _enc, done) => { lines.push(chunk.toString()); done() } }) })
  const config = loadSingleConfig({ KALLA_DATA_DIR: join(dir, 'data') })
  const path = await localAdminKey(config, log)
  t.equal(path, join(dir, 'data', 'admin.key'))
  const key = (await readFile(path, 'utf8')).trim()
  t.ok(key.length >= 43, 'the key is long')
  t.equal((await stat(path)).mode & 0o777, 0o600, 'only the owner may read it')
  t.ok(lines.some((l) => l.includes(path)), 'its path is logged')
  t.notOk(lines.some((l) => l.includes(key)), 'the key itself is not')
  t.equal(await localAdminKey(config, log), path)
  t.equal((await readFile(path, 'utf8')).trim(), key, 'a second start keeps the key')
})
