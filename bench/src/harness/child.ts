import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const HOOK = fileURLToPath(new URL('./rusage-hook.ts', import.meta.url))

/** One measured child process: its wall time, peak RSS and output. */
export interface Measured {
  ms: number
  peakRssMb: number
  /** User + system CPU time of the child, all threads. */
  cpuMs: number
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Runs `node <args>` in a process of its own and measures it from spawn to exit, so both sides of a
 * comparison pay the same Node start-up. Peak RSS comes from the child's own getrusage at exit.
 */
export async function runNode (args: string[], options: { env?: Record<string, string>, cwd?: string } = {}): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), 'kalla-bench-rusage-'))
  const rusageFile = join(dir, 'rusage.json')
  try {
    const started = performance.now()
    const result = await spawnCollect(process.execPath, ['--import', HOOK, ...args], { ...process.env, ...options.env, BENCH_RUSAGE_FILE: rusageFile }, options.cwd ?? ROOT)
    const ms = performance.now() - started
    const usage = JSON.parse(await readFile(rusageFile, 'utf8').catch(() => '{"maxRssKb":0,"cpuMs":0}')) as { maxRssKb: number, cpuMs: number }
    return { ...result, ms, peakRssMb: usage.maxRssKb / 1024, cpuMs: usage.cpuMs }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Runs any command and waits for it; wall time measured around it. */
export async function runCommand (command: string, args: string[], env: Record<string, string> = {}): Promise<Omit<Measured, 'peakRssMb' | 'cpuMs'>> {
  const started = performance.now()
  const result = await spawnCollect(command, args, { ...process.env, ...env }, ROOT)
  return { ...result, ms: performance.now() - started }
}

async function spawnCollect (command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null, stdout: string, stderr: string }> {
  return await new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (c: Buffer) => out.push(c))
    child.stderr.on('data', (c: Buffer) => err.push(c))
    child.once('error', reject)
    child.once('close', (code) => { resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }) })
  })
}

/** Throws with the child's own words when it failed. */
export function checkExit (what: string, run: { code: number | null, stderr: string, stdout: string }): void {
  if (run.code !== 0) throw new Error(`${what} exited with ${String(run.code)}: ${(run.stderr + run.stdout).slice(-1500)}`)
}
