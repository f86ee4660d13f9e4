import { existsSync, readFileSync, statSync } from 'node:fs'
import { isAbsolute, join, relative, sep } from 'node:path'

/** One file a bundle was built from: its size and mtime to check cheaply, its content hash to decide. */
export type Input = [path: string, size: number, mtimeMs: number, sha256: string]

/** What a build wrote, next to it: where the bundle is and every file it was made from. */
export interface Manifest {
  format: typeof FORMAT
  /** The directory the build ran in (absolute): bundles hold absolute paths, so a moved tree rebuilds. */
  root: string
  /** The bundle's entry file, relative to the cache directory. */
  bundle: string
  /** Relative to `root`. */
  inputs: Input[]
}

export const FORMAT = 1

// node:crypto is loaded only when a file has to be hashed: most starts find every file as it was.
export function hashFile (path: string): string {
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(readFileSync(path)).digest('hex')
}

// npm rewrites it on every install, update or removal: one input stands for every installed package, so a
// start checks a few hundred files of the workspaces instead of thousands in node_modules.
const INSTALLED = join('node_modules', '.package-lock.json')

/**
 * The inputs of a build, as they are on disk now; `files` are absolute. Files inside a node_modules
 * directory are represented by npm's record of the install when there is one.
 */
export function describeInputs (root: string, files: Iterable<string>): Input[] {
  const inputs: Input[] = []
  const installed = join(root, INSTALLED)
  const all = [...files]
  const installedPackage = (f: string): boolean => f.includes(`${sep}node_modules${sep}`)
  const kept = existsSync(installed) ? [...all.filter((f) => !installedPackage(f)), installed] : all
  for (const file of new Set(kept)) {
    if (!isAbsolute(file)) continue
    const stat = statSync(file, { throwIfNoEntry: false })
    if (stat?.isFile() !== true) continue
    inputs.push([relative(root, file), stat.size, stat.mtimeMs, hashFile(file)])
  }
  return inputs.sort((a, b) => a[0].localeCompare(b[0]))
}

/**
 * Whether every input is as it was when the bundle was built. A file whose size and mtime are unchanged
 * is taken as unchanged (as git's index does); any other is hashed, so a touched but identical file (a
 * checkout, a copy into an image) does not force a rebuild, and an edited one always does.
 */
export function inputsUnchanged (root: string, inputs: Input[]): boolean {
  for (const [path, size, mtimeMs, sha256] of inputs) {
    const file = join(root, path)
    const stat = statSync(file, { throwIfNoEntry: false })
    if (stat === undefined || stat.size !== size) return false
    if (stat.mtimeMs !== mtimeMs && hashFile(file) !== sha256) return false
  }
  return true
}

/** The manifest at `path` when it describes a build of this tree that is still current, else undefined. */
export function currentManifest (path: string, root: string): Manifest | undefined {
  let manifest: Manifest
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest
  } catch {
    return undefined
  }
  if (manifest.format !== FORMAT || manifest.root !== root) return undefined
  return inputsUnchanged(root, manifest.inputs) ? manifest : undefined
}
