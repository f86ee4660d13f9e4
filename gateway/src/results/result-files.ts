import { randomUUID } from 'node:crypto'
import { lstat, mkdir, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { assertKey, type Storage } from '@kalla/storage'

/** A result file readable on local disk while it is held; release it when done. */
export interface ResultFile { path: string, release: () => void }

export interface ResultFiles {
  open: (key: string) => Promise<ResultFile>
  close: () => Promise<void>
}

export interface ResultFilesOptions {
  storage: Storage
  /** The local store's root: its files are read in place. */
  localRoot?: string
  /** The cache directory (created when first needed, removed on close). */
  dir: string
  maxBytes: number
  ttlMs: number
  log: { warn: (details: Record<string, unknown>, message: string) => void }
}

interface Entry { path: string, sizeBytes: number, users: number, lastUsed: number, ready: Promise<void> }

/**
 * Result files as local paths for DuckDB. A local store's files are used in place; others are downloaded
 * once and kept for paging, in a cache bounded in size (least recently used files go first) and in
 * time. A file being read is never removed.
 */
export function createResultFiles (options: ResultFilesOptions): ResultFiles {
  const entries = new Map<string, Entry>()
  const sweep = setInterval(() => { evict(entries, options) }, Math.min(options.ttlMs, 60_000))
  sweep.unref()
  return {
    open: async (key) => {
      assertKey(key)
      const local = await inPlace(options, key)
      return local !== undefined ? { path: local, release: () => {} } : await openCached(entries, options, key)
    },
    close: async () => {
      clearInterval(sweep)
      entries.clear()
      await rm(options.dir, { recursive: true, force: true })
    }
  }
}

async function openCached (entries: Map<string, Entry>, options: ResultFilesOptions, key: string): Promise<ResultFile> {
  // Registered before anything is awaited, so concurrent requests for one file share one download.
  const entry = entries.get(key) ?? startDownload(options, key)
  // Map order is the eviction order: the file just used goes last.
  entries.delete(key)
  entries.set(key, entry)
  entry.users++
  try {
    await entry.ready
  } catch (error) {
    entry.users--
    if (entries.get(key) === entry) entries.delete(key)
    throw error
  }
  let released = false
  return {
    path: entry.path,
    release: () => {
      if (released) return
      released = true
      entry.users--
      entry.lastUsed = Date.now()
      evict(entries, options)
    }
  }
}

// Removes files nobody reads that are past their time, then the least recently used while over the size.
function evict (entries: Map<string, Entry>, options: ResultFilesOptions): void {
  const now = Date.now()
  let total = [...entries.values()].reduce((sum, e) => sum + e.sizeBytes, 0)
  for (const [key, entry] of entries) {
    if (entry.users > 0 || (total <= options.maxBytes && now - entry.lastUsed <= options.ttlMs)) continue
    total -= entry.sizeBytes
    entries.delete(key)
    rm(entry.path, { force: true }).catch((error: unknown) => { options.log.warn({ err: error }, 'could not remove a cached result file') })
  }
}

async function inPlace (options: ResultFilesOptions, key: string): Promise<string | undefined> {
  if (options.storage.kind !== 'local' || options.localRoot === undefined) return undefined
  const path = join(resolve(options.localRoot), ...key.split('/'))
  const info = await lstat(path).catch(() => undefined)
  return info?.isFile() === true ? path : undefined
}

function startDownload (options: ResultFilesOptions, key: string): Entry {
  // A fresh name per download: a file evicted while another request starts cannot be overwritten under it.
  const entry: Entry = { path: join(options.dir, `${randomUUID()}.parquet`), sizeBytes: 0, users: 0, lastUsed: Date.now(), ready: Promise.resolve() }
  entry.ready = (async () => {
    await mkdir(options.dir, { recursive: true })
    entry.sizeBytes = (await options.storage.download(key, entry.path)).sizeBytes
  })()
  return entry
}
