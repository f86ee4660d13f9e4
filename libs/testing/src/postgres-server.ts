import { execFile } from 'node:child_process'
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort } from './nats-server.ts'

const run = promisify(execFile)

export interface PostgresServer {
  port: number
  user: string
  password: string
  /** A connection URL with the password, to `database` (default `postgres`). */
  url: (database?: string) => string
  /** Stops the server at once (`pg_ctl -m immediate`: like a crash) and keeps its data; `restart` brings it back. */
  kill: () => Promise<void>
  /** Starts the server again on the same port with the same data (stopping it first, at once, if it runs). */
  restart: () => Promise<void>
  /** Stops the server and removes its data. */
  stop: () => Promise<void>
}

/**
 * A private Postgres (initdb + pg_ctl) on a free loopback port that checks passwords (scram-sha-256),
 * for tests that need a wrong password refused or a database that goes away and comes back; the shared
 * test server trusts every local connection and must never be stopped.
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
  const start = async (): Promise<void> => {
    await exec(['pg_ctl', '-D', data, '-w', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start'])
  }
  // Only a running server can be stopped; a stopped one makes pg_ctl fail, which is what was wanted.
  const halt = async (): Promise<void> => { await exec(['pg_ctl', '-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {}) }
  await start()
  return {
    port,
    user: 'postgres',
    password,
    url: (database = 'postgres') => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    kill: halt,
    restart: async () => {
      await halt()
      await start()
    },
    stop: async () => {
      await halt()
      await rm(dir, { recursive: true, force: true })
    }
  }
}
