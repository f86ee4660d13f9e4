import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'

/** Who made a job's work directory: kept in it, so a later matcher can tell whether anyone still uses it. */
interface Owner { host: string, pid: number, instance: string }

const OWNER_FILE = '.owner.json'
// A directory without its owner file is one being created right now, unless it is older than this.
const UNOWNED_GRACE_MS = 60_000

export interface WorkDirs {
  /** A new, empty directory for one attempt at a job, marked as this process'. */
  create: (runId: string) => Promise<string>
  /** Removes a directory `create` made. */
  remove: (dir: string) => Promise<void>
  /**
   * Removes the directories no live job holds: this process' own that it no longer uses, and those of
   * matchers on this host whose process has ended (killed mid-run). Returns the directories removed.
   */
  sweep: () => Promise<string[]>
}

/**
 * The matcher's job directories under `<root>/matcher`. A matcher killed mid-run leaves its job's copied
 * inputs and DuckDB spill files behind; the sweep at start and every few minutes takes them away, while
 * directories of other live matchers sharing the disk are left alone.
 */
export function workDirs (root: string): WorkDirs {
  const base = join(root, 'matcher')
  const self: Owner = { host: hostname(), pid: process.pid, instance: randomBytes(8).toString('hex') }
  const held = new Set<string>()
  return {
    create: async (runId) => {
      await mkdir(base, { recursive: true })
      const dir = await mkdtemp(join(base, `${runId}-`))
      held.add(dir)
      await writeFile(join(dir, OWNER_FILE), JSON.stringify(self))
      return dir
    },
    remove: async (dir) => {
      await rm(dir, { recursive: true, force: true })
      held.delete(dir)
    },
    sweep: async () => {
      const entries = await readdir(base, { withFileTypes: true }).catch(() => [])
      const removed: string[] = []
      for (const entry of entries) {
        const dir = join(base, entry.name)
        if (!entry.isDirectory() || held.has(dir)) continue
        if (await abandoned(dir, self)) {
          await rm(dir, { recursive: true, force: true })
          removed.push(dir)
        }
      }
      return removed
    }
  }
}

async function abandoned (dir: string, self: Owner): Promise<boolean> {
  const owner = await readFile(join(dir, OWNER_FILE), 'utf8').then((text) => JSON.parse(text) as Owner, () => undefined)
  if (owner === undefined) return Date.now() - (await stat(dir).then((s) => s.mtimeMs, () => Date.now())) > UNOWNED_GRACE_MS
  if (owner.host !== self.host) return false // another machine's, on a shared disk: only it can tell
  if (owner.instance === self.instance) return true // ours and not held: a job that ended without clean-up
  if (owner.pid === self.pid) return true // an earlier life of this pid (a restarted container)
  return !alive(owner.pid)
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
