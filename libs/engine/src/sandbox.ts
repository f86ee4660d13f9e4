import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import { loadDuckDB } from './duckdb.ts'
import { effectiveSpillLimit } from './limits.ts'
import { literalList } from './sql/quote.ts'
import { createHelpers } from './sql/helpers.ts'
import { resolveEngineOptions, type EngineOptions, type ResolvedEngineOptions } from './options.ts'

/** One job's private DuckDB: its own instance, temporary directory and file allow-list. */
export interface Sandbox {
  connection: DuckDBConnection
  /** A second connection to the same instance, with the same session settings: lets two sources be staged at once. */
  second: DuckDBConnection
  tempDir: string
  /** Bytes the temporary directory may hold: the configured spill limit, capped to half the free disk. */
  spillLimitBytes: number
  close: () => Promise<void>
}

export interface SandboxAccess {
  /** Files the job may read (its inputs). */
  readable: string[]
  /** Directories the job may write (its output directory). */
  writable: string[]
}

/**
 * Opens a DuckDB instance that can touch only the listed files and directories, cannot load or
 * install extensions, and whose configuration is locked before any user SQL runs. Every DuckDB the
 * engine opens comes from here.
 */
export async function openSandbox (options: ResolvedEngineOptions, access: SandboxAccess): Promise<Sandbox> {
  await mkdir(options.workDir, { recursive: true })
  const spillLimitBytes = await effectiveSpillLimit(options.workDir, options.maxTempDirectorySize)
  const tempDir = await mkdtemp(join(options.workDir, 'kalla-job-'))
  const { DuckDBInstance } = await loadDuckDB()
  const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: options.memoryLimit,
    threads: String(options.threads),
    temp_directory: join(tempDir, 'spill'),
    max_temp_directory_size: `${Math.max(1, Math.floor(spillLimitBytes / 1024))}KiB`,
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false'
  })
  const connection = await instance.connect()
  const second = await instance.connect()
  const close = async (): Promise<void> => {
    second.closeSync()
    connection.closeSync()
    instance.closeSync()
    await rm(tempDir, { recursive: true, force: true })
  }
  try {
    const directories = [tempDir, ...access.writable].map((d) => d.endsWith('/') ? d : `${d}/`)
    for (const session of [connection, second]) await setSession(session)
    await connection.run(`SET allowed_directories = ${literalList(directories)}`)
    if (access.readable.length > 0) await connection.run(`SET allowed_paths = ${literalList(access.readable)}`)
    await connection.run('SET enable_external_access = false')
    await connection.run('SET lock_configuration = true')
    await createHelpers(connection)
    return { connection, second, tempDir, spillLimitBytes, close }
  } catch (error) {
    await close()
    throw error
  }
}

// Settings of one connection, not of the instance: each connection gets its own before the configuration is locked.
async function setSession (connection: DuckDBConnection): Promise<void> {
  await connection.run('SET enable_progress_bar = true')
  await connection.run('SET enable_progress_bar_print = false')
  await connection.run('SET progress_bar_time = 0')
  // Results must not depend on the server's TZ: an instant's calendar date is its date in UTC (README).
  await connection.run("SET TimeZone = 'UTC'")
  await connection.run("SET Calendar = 'gregorian'")
}

/** Runs `work` in a short-lived sandbox (one thread unless told otherwise) and closes it after. */
export async function withSandbox<T> (options: EngineOptions, access: Partial<SandboxAccess>, work: (sandbox: Sandbox) => Promise<T>): Promise<T> {
  const sandbox = await openSandbox(lightOptions(options), { readable: access.readable ?? [], writable: access.writable ?? [] })
  try {
    return await work(sandbox)
  } finally {
    await sandbox.close()
  }
}

// Describing, previewing, binding and reading results touch little data: one thread, a small memory limit.
function lightOptions (options: EngineOptions): ResolvedEngineOptions {
  return resolveEngineOptions({ ...options, threads: options.threads ?? 1, memoryLimit: options.memoryLimit ?? '512MB' })
}
