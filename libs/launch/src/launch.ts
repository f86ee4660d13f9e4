import { closeSync, existsSync, openSync, rmSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { currentManifest } from './manifest.ts'

/** The repository (or image) root: this file is libs/launch/src/launch.ts. */
export const ROOT = resolve(import.meta.dirname, '../../..')

// A build takes seconds; a lock older than this was left by a process that died while building.
const STALE_LOCK_MS = 120_000
const WAIT_STEP_MS = 100

export interface LaunchOptions {
  /** The tree the entry belongs to; its node_modules/.cache/kalla-launch holds the bundles. */
  root?: string
  /** Where failures to build are reported (stderr). */
  warn?: (message: string) => void
}

export function cacheDirOf (root: string): string {
  return join(root, 'node_modules', '.cache', 'kalla-launch')
}

/** The manifest name of an entry: its path from the root, e.g. `services-runs-src-serve`. */
export function keyOf (root: string, entry: string): string {
  return relative(root, entry).replace(/\.[cm]?[jt]s$/, '').replace(/[^A-Za-z0-9]+/g, '-')
}

/**
 * Runs `entry` from its bundle, building the bundle first when it is missing or any file it was made from
 * changed; when no bundle can be built (a read-only tree whose bundle is stale, say), runs `fromSource`.
 * A process entry is two lines: see services/runs/src/server.ts, which launches ./serve.ts.
 */
export async function launch (entry: URL, fromSource: () => Promise<unknown>, options: LaunchOptions = {}): Promise<void> {
  const bundle = await currentBundle(fileURLToPath(entry), options)
  if (bundle === undefined) {
    await fromSource()
    return
  }
  await import(pathToFileURL(bundle).href)
}

/** The absolute path of the entry's current bundle, built now if need be; undefined when it cannot be built. */
export async function currentBundle (entry: string, options: LaunchOptions = {}): Promise<string | undefined> {
  const root = options.root ?? ROOT
  const cacheDir = cacheDirOf(root)
  const key = keyOf(root, entry)
  const manifestPath = join(cacheDir, `${key}.json`)
  const found = (): string | undefined => {
    const manifest = currentManifest(manifestPath, root)
    const bundle = manifest === undefined ? undefined : join(cacheDir, manifest.bundle)
    return bundle !== undefined && existsSync(bundle) ? bundle : undefined
  }
  const current = found()
  if (current !== undefined) return current
  try {
    const { buildBundle, ensureDir } = await import('./build.ts')
    ensureDir(cacheDir)
    // One process builds; the others starting at the same moment wait for its manifest.
    const lock = join(cacheDir, `${key}.lock`)
    const owned = takeLock(lock)
    if (!owned) {
      const built = await waitFor(found, lock)
      if (built !== undefined) return built
    }
    try {
      const manifest = await buildBundle({ entry, root, cacheDir, key })
      return join(cacheDir, manifest.bundle)
    } finally {
      if (owned) rmSync(lock, { force: true })
    }
  } catch (error) {
    const warn = options.warn ?? ((message) => { process.stderr.write(`${message}\n`) })
    warn(`kalla: could not bundle ${relative(root, entry)} (${(error as Error).message.split('\n')[0] ?? ''}); running its sources`)
    return undefined
  }
}

function takeLock (path: string): boolean {
  try {
    closeSync(openSync(path, 'wx'))
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    const stat = statSync(path, { throwIfNoEntry: false })
    if (stat !== undefined && Date.now() - stat.mtimeMs > STALE_LOCK_MS) {
      rmSync(path, { force: true })
      return takeLock(path)
    }
    return false
  }
}

async function waitFor (found: () => string | undefined, lock: string): Promise<string | undefined> {
  const deadline = Date.now() + STALE_LOCK_MS
  while (Date.now() < deadline && existsSync(lock)) {
    await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS))
  }
  return found()
}
