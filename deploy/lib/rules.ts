import { entrySource } from './roles.ts'

const MIB = 1024 ** 2

/**
 * Measured: a job's process peaks about 350 MB above ENGINE_MEMORY_LIMIT once DuckDB is at its limit
 * (Node's heap, DuckDB allocations outside its buffer pool), so a container's memory limit must exceed
 * the engine's share by at least 512 MiB, or by a quarter of it when that is more.
 */
export function minMemoryLimit (engineBytes: number, concurrency: number): number {
  const engine = engineBytes * concurrency
  return engine + Math.max(512 * MIB, engine / 4)
}

/** Seconds a stopped matcher may take beyond MATCHER_SHUTDOWN_GRACE_S, as its serve.ts grants them. */
export async function matcherExitMarginSeconds (): Promise<number> {
  const source = await entrySource('services/matcher/src/server.ts')
  const match = /MATCHER_SHUTDOWN_GRACE_S \+ (\d+)\)/.exec(source)
  if (match === null) throw new Error('services/matcher/src/serve.ts no longer adds a margin to MATCHER_SHUTDOWN_GRACE_S; update deploy/lib/rules.ts')
  return Number(match[1])
}

/** The kill must come after the matcher handed its job back and exited, with a few seconds to spare. */
export async function minStopGraceSeconds (shutdownGraceS: number): Promise<number> {
  return shutdownGraceS + await matcherExitMarginSeconds() + 5
}
