import { randomUUID } from 'node:crypto'
import { constants, createWriteStream } from 'node:fs'
import { access, lstat, mkdir, open, realpath, rename, rm, rmdir, unlink } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { errorText, isStorageError, StorageError, systemCode, type StorageErrorCode } from './errors.ts'
import { assertInside, isMissing, keyPath, PARTIAL_DIR, walk } from './local-paths.ts'
import { createStorageFrom } from './storage.ts'
import type { Backend, ObjectStat, Storage } from './types.ts'

export interface LocalStorageConfig {
  /** The directory that holds every object; created when first needed. */
  root: string
}

/**
 * Storage in a directory on local disk. A key is a path under `root`; writes go to a temporary file
 * under `root/.partial` and are renamed into place, so a reader never sees half an object.
 *
 * @example const storage = createLocalStorage({ root: '/var/lib/kalla/objects' })
 */
export function createLocalStorage (config: LocalStorageConfig): Storage {
  if (typeof config.root !== 'string' || config.root === '') {
    throw new StorageError('STORAGE_CONFIG_INVALID', 'Local storage needs a root directory.')
  }
  return createStorageFrom(localBackend(resolve(config.root)))
}

function localBackend (root: string): Backend {
  let realRoot: string | undefined
  // Resolved once, after the root exists, so symbolic links in the root's own path are allowed.
  // `key` may also be a prefix's directory part ("runs/7/", or "" for root).
  const place = async (key: string): Promise<string> => {
    if (realRoot === undefined) {
      await mkdir(root, { recursive: true })
      realRoot = await realpath(root)
    }
    const path = keyPath(root, key)
    await assertInside(realRoot, path, key)
    return path
  }
  const where = (key: string): string => join(root, key)
  return {
    kind: 'local',
    where,
    write: (key, body) => writeFile(root, key, body, place, where),
    read: (key) => readFile(key, place, where),
    stat: (key) => statFile(key, place, where),
    remove: async (keys) => {
      for (const key of keys) await removeFile(root, await place(key), where(key))
    },
    list: async function * (prefix) {
      const cut = prefix.lastIndexOf('/') + 1
      yield * walk(await place(prefix.slice(0, cut)), prefix.slice(0, cut), prefix.slice(cut))
    },
    ping: async () => {
      try {
        await mkdir(root, { recursive: true })
        await access(root, constants.R_OK | constants.W_OK)
      } catch (error) {
        throw new StorageError('STORAGE_UNAVAILABLE', `Storage directory ${root} cannot be used: ${errorText(error)}.`, { cause: error })
      }
    },
    close: async () => {}
  }
}

type Place = (key: string) => Promise<string>

async function writeFile (root: string, key: string, body: Readable, place: Place, where: (key: string) => string): Promise<void> {
  const temp = join(root, PARTIAL_DIR, randomUUID())
  try {
    const target = await place(key)
    await mkdir(dirname(temp), { recursive: true })
    await pipeline(body, createWriteStream(temp, { flags: 'wx', flush: true }))
    await moveInto(temp, target)
  } catch (error) {
    await rm(temp, { force: true })
    throw localError(error, 'STORAGE_WRITE_FAILED', `${where(key)} was not stored`)
  }
}

/** A concurrent delete may remove the emptied parent between mkdir and rename; trying again is enough. */
async function moveInto (temp: string, target: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await mkdir(dirname(target), { recursive: true })
    try {
      await rename(temp, target)
      return
    } catch (error) {
      if (systemCode(error) !== 'ENOENT' || attempt === 3) throw error
    }
  }
}

async function readFile (key: string, place: Place, where: (key: string) => string): Promise<Readable> {
  const path = await place(key)
  // O_NOFOLLOW: a symbolic link is not an object, and must not lead outside root.
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch((error: unknown) => {
    if (isMissing(error) || systemCode(error) === 'ELOOP') throw notFound(where(key))
    throw localError(error, 'STORAGE_READ_FAILED', `${where(key)} cannot be read`)
  })
  const info = await handle.stat()
  if (!info.isFile()) {
    await handle.close()
    throw notFound(where(key))
  }
  return handle.createReadStream()
}

async function statFile (key: string, place: Place, where: (key: string) => string): Promise<ObjectStat | undefined> {
  const path = await place(key)
  try {
    const info = await lstat(path)
    return info.isFile() ? { sizeBytes: info.size, modifiedAt: info.mtime } : undefined
  } catch (error) {
    if (isMissing(error)) return undefined
    throw localError(error, 'STORAGE_READ_FAILED', `${where(key)} cannot be read`)
  }
}

/** Removes the file and then every parent directory it leaves empty, so deleted runs leave no folders behind. */
async function removeFile (root: string, path: string, where: string): Promise<void> {
  try {
    await unlink(path)
  } catch (error) {
    // A directory is not an object (it only holds other keys), so like a missing file it is nothing to delete.
    if (isMissing(error) || await isDirectory(path)) return
    throw localError(error, 'STORAGE_DELETE_FAILED', `${where} could not be deleted`)
  }
  for (let dir = dirname(path); dir !== root && dir.startsWith(root); dir = dirname(dir)) {
    try {
      await rmdir(dir)
    } catch {
      return
    }
  }
}

async function isDirectory (path: string): Promise<boolean> {
  return lstat(path).then((info) => info.isDirectory(), () => false)
}

function notFound (where: string): StorageError {
  return new StorageError('STORAGE_NOT_FOUND', `${where} does not exist.`)
}

function localError (error: unknown, code: StorageErrorCode, context: string): StorageError {
  if (isStorageError(error)) return error
  const errno = systemCode(error)
  if (errno === 'EACCES' || errno === 'EPERM') return new StorageError('STORAGE_ACCESS_DENIED', `${context}: ${errorText(error)}.`, { cause: error })
  if (errno === 'EISDIR' || errno === 'ENOTDIR' || errno === 'EEXIST') {
    return new StorageError(code, `${context}: on local disk a key cannot be both an object and the start of other keys ("a" and "a/b").`, { cause: error })
  }
  return new StorageError(code, `${context}: ${errorText(error)}.`, { cause: error })
}
