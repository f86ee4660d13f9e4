import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitForPort } from './wait.ts'

export interface NatsServer { url: string, port: number, stop: () => Promise<void> }

const CANDIDATES = [process.env.KALLA_NATS_SERVER, '/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']

export interface NatsServerOptions {
  /** A configuration file's text (e.g. an `authorization` block); port, JetStream and storage stay the test's. */
  config?: string
  /** Variables the configuration refers to (`$NAME`), e.g. passwords. */
  env?: Record<string, string>
}

/**
 * Starts a private nats-server with JetStream on a free loopback port and its own storage directory,
 * so a test owns every stream and consumer it sees. Stopped (and its data removed) by `stop`.
 */
export async function startNatsServer (options: NatsServerOptions = {}): Promise<NatsServer> {
  const binary = CANDIDATES.find((c) => c !== undefined && existsSync(c))
  if (binary === undefined) throw new Error('nats-server is not installed; set KALLA_NATS_SERVER to its path')
  const dir = await mkdtemp(join(tmpdir(), 'kalla-nats-'))
  const configArgs: string[] = []
  if (options.config !== undefined) {
    const file = join(dir, 'nats-server.conf')
    await writeFile(file, options.config)
    configArgs.push('-c', file)
  }
  const store = join(dir, 'store')
  // A port found free can be taken by another test before the server binds it: try another one.
  let started: { child: ChildProcess, port: number } | undefined
  for (let attempt = 1; started === undefined; attempt++) {
    const port = await freePort()
    const child = spawn(binary, [...configArgs, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...options.env } })
    let log = ''
    child.stderr?.on('data', (chunk: Buffer) => { log = (log + chunk.toString()).slice(-4000) })
    const exited = new Promise<'exited'>((resolve) => child.once('exit', () => resolve('exited')))
    const listening = waitForPort(port, 10_000).then(() => 'listening' as const)
    listening.catch(() => {}) // settled by the race below; if the server exited first, the wait is moot
    const outcome = await Promise.race([listening, exited])
    if (outcome === 'listening') { started = { child, port }; break }
    if (attempt >= 3) throw new Error(`nats-server did not start: ${log.trim()}`)
  }
  const { child, port } = started
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      await rm(dir, { recursive: true, force: true })
    }
  }
}

/** A TCP port nothing listens on right now. */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => { resolve(typeof address === 'object' && address !== null ? address.port : 0) })
    })
  })
}
