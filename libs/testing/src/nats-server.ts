import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitForPort } from './wait.ts'

export interface NatsServer { url: string, port: number, stop: () => Promise<void> }

const CANDIDATES = [process.env.KALLA_NATS_SERVER, '/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']

/**
 * Starts a private nats-server with JetStream on a free loopback port and its own storage directory,
 * so a test owns every stream and consumer it sees. Stopped (and its data removed) by `stop`.
 */
export async function startNatsServer (): Promise<NatsServer> {
  const binary = CANDIDATES.find((c) => c !== undefined && existsSync(c))
  if (binary === undefined) throw new Error('nats-server is not installed; set KALLA_NATS_SERVER to its path')
  const port = await freePort()
  const dir = await mkdtemp(join(tmpdir(), 'kalla-nats-'))
  const child: ChildProcess = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' })
  await waitForPort(port, 10_000)
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
