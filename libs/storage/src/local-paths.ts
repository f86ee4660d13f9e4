import type { Dirent } from 'node:fs'
import { readdir, realpath } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { isStorageError, StorageError, systemCode } from './errors.ts'
import { isValidKey } from './keys.ts'

/** Unfinished writes live here, under root (so a rename into place is atomic) but under a name no key can have. */
export const PARTIAL_DIR = '.partial'

/**
 * The path of a validated key (or of a prefix's directory) under root. Validation already rules out
 * "..", but the check is repeated on the resolved path so that no key can ever name a file elsewhere.
 */
export function keyPath (root: string, key: string): string {
  const path = resolve(root, ...key.split('/').filter((segment) => segment !== ''))
  const rest = relative(root, path)
  if (rest === '..' || rest.startsWith(`..${sep}`) || isAbsolute(rest)) throw outside(key)
  return path
}

/**
 * Refuses a path whose nearest existing part is, once symbolic links are followed, outside root:
 * a link planted inside root must not let a key read or write elsewhere.
 */
export async function assertInside (realRoot: string, path: string, key: string): Promise<void> {
  for (let current = path; ; current = dirname(current)) {
    try {
      const real = await realpath(current)
      if (real !== realRoot && !real.startsWith(realRoot + sep)) throw outside(key)
      return
    } catch (error) {
      if (isStorageError(error) || !isMissing(error) || dirname(current) === current) throw error
    }
  }
}

export function isMissing (error: unknown): boolean {
  const code = systemCode(error)
  return code === 'ENOENT' || code === 'ENOTDIR'
}

function outside (key: string): StorageError {
  return new StorageError('STORAGE_KEY_INVALID', `Storage key ${JSON.stringify(key)} is not valid: it leads outside the storage root.`)
}

/**
 * Yields the keys of regular files under `dir` in ascending byte order without reading the whole tree:
 * a directory sorts as its name plus "/", which is where its keys fall among its siblings.
 * Dot names (unfinished writes), symbolic links and names that are not valid keys are skipped.
 */
export async function * walk (dir: string, keyPrefix: string, namePrefix: string): AsyncGenerator<string> {
  let entries: Dirent[]
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (error) {
    if (isMissing(error)) return
    throw error
  }
  const items = entries
    .filter((e) => e.name.startsWith(namePrefix) && !e.name.startsWith('.') && (e.isFile() || e.isDirectory()))
    .map((e) => ({ name: e.name, isDirectory: e.isDirectory(), order: e.isDirectory() ? `${e.name}/` : e.name }))
    .sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0))
  for (const item of items) {
    const key = keyPrefix + item.name
    if (item.isDirectory) yield * walk(join(dir, item.name), `${key}/`, '')
    else if (isValidKey(key)) yield key
  }
}
