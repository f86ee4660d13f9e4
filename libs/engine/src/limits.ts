import { readdir, rm, stat, statfs } from 'node:fs/promises'
import { join } from 'node:path'
import { EngineError } from './errors.ts'

const UNITS: Record<string, number> = {
  B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 2 ** 10, MIB: 2 ** 20, GIB: 2 ** 30, TIB: 2 ** 40
}

/** Bytes in a size as DuckDB writes it: "100GB", "47.6 MiB", "512MB". */
export function parseSize (size: string): number {
  const match = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGT]i?B|B)?\s*$/i.exec(size)
  const unit = UNITS[(match?.[2] ?? 'B').toUpperCase()]
  if (match === null || unit === undefined) throw new EngineError('ENGINE_JOB_INVALID', `"${size}" is not a size: write it like 512MB, 4GB or 2GiB.`)
  return Math.floor(Number(match[1]) * unit)
}

/** A byte count for people and for DuckDB's settings: "47.6 MiB" style, exact to a tenth. */
export function formatSize (bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++ }
  return `${unit === 0 ? value : Math.floor(value * 10) / 10} ${units[unit]}`
}

/** Share of the work directory's free disk a job's spill may take, so a run cannot fill the disk. */
export const FREE_DISK_SHARE = 0.5

/**
 * The spill limit a job really gets: the configured one, but never more than half the disk that is
 * free in the work directory when the job starts (checked then, so a full disk is seen at once).
 */
export async function effectiveSpillLimit (workDir: string, configured: string): Promise<number> {
  const limit = parseSize(configured)
  const disk = await statfs(workDir)
  return Math.min(limit, Math.floor(Number(disk.bavail) * Number(disk.bsize) * FREE_DISK_SHARE))
}

/** Bytes of the files under `dir`, counted as they are now; files removed meanwhile count nothing. */
export async function directorySize (dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])
  let total = 0
  for (const entry of entries) {
    if (!entry.isFile()) continue
    total += await stat(join(entry.parentPath, entry.name)).then((s) => s.size, () => 0)
  }
  return total
}

/** The run would write more results than allowed; `what` says which limit ("10,000,000 matched rows"). */
export function outputLimitError (what: string): EngineError {
  return new EngineError('ENGINE_OUTPUT_LIMIT', `The run would write more than ${what} and was stopped. Check that the match SQL pairs records on keys (a join without a selective condition multiplies rows), or raise the output limit (ENGINE_MAX_MATCHED_ROWS / ENGINE_MAX_OUTPUT_SIZE on the matcher).`)
}

/** Fails a match that returned more rows than allowed (0 = no limit). */
export function checkMatchedRows (rows: number, limit: number): void {
  if (limit > 0 && rows > limit) throw outputLimitError(`${limit.toLocaleString('en-US')} matched rows`)
}

/** Fails (and removes the result files) when they are larger together than allowed (0 = no limit). */
export async function checkOutputSize (files: { matched: string, unmatched_left: string, unmatched_right: string }, limitBytes: number): Promise<void> {
  if (limitBytes <= 0) return
  const paths = [files.matched, files.unmatched_left, files.unmatched_right]
  const sizes = await Promise.all(paths.map(async (p) => (await stat(p)).size))
  if (sizes.reduce((a, b) => a + b, 0) <= limitBytes) return
  await Promise.all(paths.map(async (p) => { await rm(p, { force: true }) }))
  throw outputLimitError(`${formatSize(limitBytes)} of result files`)
}

// Two CSV readers at once hold buffers that cannot spill; under this limit sources are read one at a time.
const CONCURRENT_STAGING_MEMORY = UNITS.GB!

/** Whether a job with this memory limit may stage two file sources at once; a limit Kalla cannot size (a percentage) says no. */
export function roomForTwoReaders (memoryLimit: string): boolean {
  try {
    return parseSize(memoryLimit) >= CONCURRENT_STAGING_MEMORY
  } catch {
    return false
  }
}
