import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { workDirs } from '../src/domain/work-dirs.ts'

// Directories as other matchers leave them: a killed one's (its process has ended), a live one's, one
// this process no longer holds, and one without an owner file (being created, or very old).
const root = await mkdtemp(join(tmpdir(), 'kalla-work-dirs-'))
t.teardown(() => rm(root, { recursive: true, force: true }))

async function endedPid (): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''])
  await new Promise((resolve) => child.once('exit', resolve))
  return child.pid ?? 0
}

async function leftBehind (name: string, owner?: { pid: number, instance: string, host?: string }): Promise<string> {
  const dir = join(root, 'matcher', name)
  await mkdir(join(dir, 'inputs'), { recursive: true })
  await writeFile(join(dir, 'inputs', 'left.csv'), 'id\n1\n')
  if (owner !== undefined) await writeFile(join(dir, '.owner.json'), JSON.stringify({ host: hostname(), ...owner }))
  return dir
}

t.test('the sweep removes what killed or finished jobs left and keeps what live jobs use', async (t) => {
  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'])
  t.teardown(async () => {
    live.kill('SIGKILL')
    await new Promise((resolve) => live.once('exit', resolve))
  })
  const dirs = workDirs(root)
  const mine = await dirs.create('run-held')
  await leftBehind('run-killed-1', { pid: await endedPid(), instance: 'a' })
  await leftBehind('run-other-live-1', { pid: live.pid ?? 0, instance: 'b' })
  await leftBehind('run-other-host-1', { pid: await endedPid(), instance: 'c', host: 'some-other-host' })
  await leftBehind('run-same-pid-earlier-life-1', { pid: process.pid, instance: 'd' })
  const fresh = await leftBehind('run-being-created-1')
  const old = await leftBehind('run-unowned-old-1')
  const hourAgo = new Date(Date.now() - 3_600_000)
  await utimes(old, hourAgo, hourAgo)

  const removed = (await dirs.sweep()).map((d) => d.split('/').at(-1)).sort()
  t.same(removed, ['run-killed-1', 'run-same-pid-earlier-life-1', 'run-unowned-old-1'])
  t.same((await readdir(join(root, 'matcher'))).sort(), [mine.split('/').at(-1), 'run-being-created-1', 'run-other-host-1', 'run-other-live-1'].sort())
  t.ok(fresh.endsWith('run-being-created-1'))

  await dirs.remove(mine)
  t.notOk((await readdir(join(root, 'matcher'))).includes(mine.split('/').at(-1) ?? ''), 'a removed directory is gone')
})

t.test('a later matcher with the same pid (a restarted container) sweeps what the earlier one left', async (t) => {
  // Its own root: the first test's directories (and the moment its live process ends) are not this one's.
  const own = await mkdtemp(join(tmpdir(), 'kalla-work-dirs-restart-'))
  t.teardown(() => rm(own, { recursive: true, force: true }))
  const dirs = workDirs(own)
  const dir = await dirs.create('run-forgotten')
  const other = workDirs(own)
  t.same(await other.sweep().then((r) => r.includes(dir)), true)
  t.same(await dirs.sweep(), [], 'nothing else to sweep for the first')
})
