import type { FastifyBaseLogger } from 'fastify'
import type { WorkDirs } from '../domain/work-dirs.ts'

/** Sweeps abandoned work directories once now (before any job starts) and then every `intervalMs`. */
export async function sweepWorkDirs (dirs: WorkDirs, intervalMs: number, log: FastifyBaseLogger): Promise<() => void> {
  const sweep = async (): Promise<void> => {
    const removed = await dirs.sweep()
    if (removed.length > 0) log.info({ removed }, 'removed work directories left by ended or killed jobs')
  }
  await sweep().catch((error: unknown) => { log.warn({ err: error }, 'could not sweep the work directories') })
  const timer = setInterval(() => { sweep().catch((error: unknown) => { log.warn({ err: error }, 'could not sweep the work directories') }) }, intervalMs)
  timer.unref()
  return () => { clearInterval(timer) }
}
