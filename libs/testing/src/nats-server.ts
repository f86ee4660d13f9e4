import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitForPort } from './wait.ts'

export interface NatsServer {
  url: string
  port: number
  /** Stops the server (SIGKILL by default) and keeps its data, e.g. to test an outage; `restart` brings it back. */
  kill: (signal?: NodeJS.Signals) => Promise<void>
  /** Starts the server again on the same port with the same data (stopping it first if it runs). */
  restart: () => Promise<void>
  /** Stops the server and removes its data. */
  stop: () => Promise<void>
}

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
  const launch = async (port: number): Promise<ChildProcess | string> => {
    const child = spawn(binary, [...configArgs, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...options.env } })
    let log = ''
    child.stderr?.on('data', (chunk: Buffer) => { log = (log + chunk.toString()).slice(-4000) })
    const exited = new Promise<'exited'>((resolve) => child.once('exit', () => resolve('exited')))
    const listening = waitForPort(port, 10_000).then(() => 'listening' as const)
    listening.catch(() => {}) // settled by the race below; if the server exited first, the wait is moot
    return await Promise.race([listening, exited]) === 'listening' ? child : log.trim()
  }
  // A port found free can be taken by another test before the server binds it: try another one.
  let started: { child: ChildProcess, port: number } | undefined
  for (let attempt = 1; started === undefined; attempt++) {
    const port = await freePort()
    const outcome = await launch(port)
    if (typeof outcome !== 'string') started = { child: outcome, port }
    else if (attempt >= 3) throw new Error(`nats-server did not start: ${outcome}`)
  }
  let { child } = started
  const { port } = started
  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill(signal)
    await exited
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    kill: async (signal = 'SIGKILL') => { await halt(signal) },
    restart: async () => {
      await halt('SIGTERM')
      const outcome = await launch(port)
      if (typeof outcome === 'string') throw new Error(`nats-server did not start again on port ${port}: ${outcome}`)
      child = outcome
    },
    stop: async () => {
      await halt('SIGTERM')
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
