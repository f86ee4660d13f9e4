import { execFile } from 'node:child_process'
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort } from './nats-server.ts'

const run = promisify(execFile)

export interface PostgresServer { port: number, user: string, password: string, stop: () => Promise<void> }

/**
 * A private Postgres (initdb + pg_ctl) on a free loopback port that checks passwords (scram-sha-256),
 * for tests that need a wrong password refused; the shared test server trusts every local connection.
 * As root it runs as the `postgres` user, since Postgres refuses to run as root. Removed by `stop`.
 */
export async function startPostgresServer (password: string): Promise<PostgresServer> {
  const dir = await mkdtemp(join(tmpdir(), 'kalla-pg-'))
  const data = join(dir, 'data')
  const asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : []
  if (asUser.length > 0) {
    const { stdout } = await run('id', ['-u', 'postgres'])
    const { stdout: group } = await run('id', ['-g', 'postgres'])
    await chown(dir, Number(stdout.trim()), Number(group.trim()))
  }
  const exec = async (args: string[]): Promise<void> => {
    const [program = '', ...rest] = [...asUser, ...args]
    await run(program, rest, { cwd: dir })
  }
  await writeFile(join(dir, 'pwfile'), `${password}\n`, { mode: 0o644 })
  await exec(['initdb', '-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${join(dir, 'pwfile')}`, '-E', 'UTF8'])
  const port = await freePort()
  await exec(['pg_ctl', '-D', data, '-w', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start'])
  return {
    port,
    user: 'postgres',
    password,
    stop: async () => {
      await exec(['pg_ctl', '-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {})
      await rm(dir, { recursive: true, force: true })
    }
  }
}
