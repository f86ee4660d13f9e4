import { spawn, type ChildProcess } from 'node:child_process'
import { waitFor } from './wait.ts'

export interface ServiceProcess {
  name: string
  child: ChildProcess
  /** Everything the process wrote, for assertions and for debugging a failed test. */
  output: () => string
  /** SIGTERM (graceful) or SIGKILL; resolves with the exit code or signal once the process is gone. */
  stop: (signal?: NodeJS.Signals) => Promise<number | string | null>
}

/**
 * Starts one Kalla process (e.g. `node services/runs/src/server.ts`) with the given environment and
 * waits until its /readyz answers 200 on `port`.
 */
export async function startServiceProcess (options: { name: string, args: string[], env: Record<string, string>, port: number, cwd: string, readyTimeoutMs?: number }): Promise<ServiceProcess> {
  const child = spawn(process.execPath, options.args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const chunks: string[] = []
  child.stdout?.on('data', (c: Buffer) => chunks.push(c.toString()))
  child.stderr?.on('data', (c: Buffer) => chunks.push(c.toString()))
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => { resolve(code ?? signal) }))
  const service: ServiceProcess = {
    name: options.name,
    child,
    output: () => chunks.join(''),
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return await exited
    }
  }
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`${options.name} exited with ${child.exitCode}: ${service.output().slice(-2000)}`)
      const response = await fetch(`http://127.0.0.1:${options.port}/readyz`).catch(() => undefined)
      return response?.status === 200 ? true : undefined
    }, options.readyTimeoutMs ?? 30_000, `${options.name} to be ready`)
  } catch (error) {
    await service.stop('SIGKILL')
    throw new Error(`${(error as Error).message}\n--- ${options.name} output ---\n${service.output().slice(-3000)}`)
  }
  return service
}
