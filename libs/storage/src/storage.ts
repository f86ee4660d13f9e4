import { randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat as fileStat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { pipeline } from 'node:stream'
import { pipeline as pipelineAsync } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import { asStorageError, errorText, StorageError, systemCode, type StorageErrorCode } from './errors.ts'
import { ByteCounter, knownSize, toReadable, tooLarge, withCodedErrors } from './body.ts'
import { assertKey, assertPrefix } from './keys.ts'
import type { Backend, DownloadResult, ObjectStat, PutBody, PutOptions, PutResult, Storage } from './types.ts'

/** S3 deletes at most this many keys in one request; the local store uses the same batches. */
const DELETE_BATCH = 1000

/** Wraps a backend into a Storage: validates keys, enforces limits, and turns every failure into a StorageError. */
export function createStorageFrom (backend: Backend): Storage {
  let closed = false
  const open = (): void => {
    if (closed) throw new StorageError('STORAGE_CLOSED', `Storage ${backend.where('')} has been closed.`)
  }
  const checked = (key: string): string => {
    open()
    assertKey(key)
    return key
  }
  const read = async (key: string): Promise<Readable> =>
    withCodedErrors(await coded(backend.read(checked(key)), 'STORAGE_READ_FAILED', `${backend.where(key)} cannot be read`), backend.where(key))
  const stat = (key: string): Promise<ObjectStat | undefined> => coded(backend.stat(checked(key)), 'STORAGE_READ_FAILED', `${backend.where(key)} cannot be read`)
  return {
    kind: backend.kind,
    put: async (key, body, options = {}) => writeObject(backend, checked(key), body, options),
    get: async (key) => read(key),
    stat: async (key) => stat(key),
    exists: async (key) => (await stat(key)) !== undefined,
    delete: async (key) => coded(backend.remove([checked(key)]), 'STORAGE_DELETE_FAILED', `${backend.where(key)} could not be deleted`),
    deletePrefix: async (prefix) => {
      open()
      return coded(deleteAll(backend, prefix), 'STORAGE_DELETE_FAILED', `${backend.where(prefix)}* could not be deleted`)
    },
    list: (prefix = '') => listKeys(backend, prefix, open),
    download: async (key, localPath) => downloadObject(await read(key), backend.where(key), localPath),
    upload: async (localPath, key, options = {}) => uploadFile(backend, localPath, checked(key), options),
    ping: async () => {
      open()
      await coded(backend.ping(), 'STORAGE_UNAVAILABLE', `Storage ${backend.where('')} cannot be used`)
    },
    close: async () => {
      if (closed) return
      closed = true
      await backend.close()
    }
  }
}

async function writeObject (backend: Backend, key: string, body: PutBody, options: PutOptions, sizeHint?: number): Promise<PutResult> {
  const where = backend.where(key)
  const known = knownSize(body)
  if (known !== undefined && options.maxBytes !== undefined && known > options.maxBytes) throw tooLarge(where, options.maxBytes)
  const source = toReadable(body)
  const counter = new ByteCounter(where, options.maxBytes)
  let sourceError: unknown
  source.once('error', (error) => { sourceError = error })
  // Errors travel down to the backend through the counter; a failing backend destroys both in the catch below.
  pipeline(source, counter, () => {})
  try {
    await backend.write(key, counter, { contentType: options.contentType, sizeHint: known ?? sizeHint ?? options.maxBytes })
    return { key, sizeBytes: counter.bytes }
  } catch (error) {
    counter.destroy()
    if (counter.exceeded && options.maxBytes !== undefined) throw tooLarge(where, options.maxBytes)
    if (sourceError !== undefined) {
      throw new StorageError('STORAGE_WRITE_FAILED', `${where} was not stored: its data could not be read (${errorText(sourceError)}).`, { cause: sourceError })
    }
    throw asStorageError(error, 'STORAGE_WRITE_FAILED', `${where} was not stored`)
  }
}

async function * listKeys (backend: Backend, prefix: string, open: () => void): AsyncGenerator<string> {
  open()
  assertPrefix(prefix)
  try {
    yield * backend.list(prefix)
  } catch (error) {
    throw asStorageError(error, 'STORAGE_READ_FAILED', `${backend.where(prefix)}* cannot be listed`)
  }
}

async function deleteAll (backend: Backend, prefix: string): Promise<number> {
  if (prefix === '') throw new StorageError('STORAGE_KEY_INVALID', 'Refusing to delete with an empty prefix: that would delete everything.')
  assertPrefix(prefix)
  let batch: string[] = []
  let count = 0
  for await (const key of backend.list(prefix)) {
    batch.push(key)
    if (batch.length === DELETE_BATCH) {
      await backend.remove(batch)
      count += batch.length
      batch = []
    }
  }
  if (batch.length > 0) await backend.remove(batch)
  return count + batch.length
}

async function downloadObject (source: Readable, where: string, localPath: string): Promise<DownloadResult> {
  const temp = `${localPath}.${randomUUID()}.partial`
  const counter = new ByteCounter(where, undefined)
  try {
    await mkdir(dirname(localPath), { recursive: true })
    await pipelineAsync(source, counter, createWriteStream(temp, { flags: 'wx', flush: true }))
    await rename(temp, localPath)
    return { path: localPath, sizeBytes: counter.bytes }
  } catch (error) {
    source.destroy()
    await rm(temp, { force: true })
    throw asStorageError(error, 'STORAGE_READ_FAILED', `${where} could not be downloaded to ${localPath}`)
  }
}

async function uploadFile (backend: Backend, localPath: string, key: string, options: PutOptions): Promise<PutResult> {
  const size = await localFileSize(localPath)
  if (options.maxBytes !== undefined && size > options.maxBytes) throw tooLarge(backend.where(key), options.maxBytes)
  return writeObject(backend, key, createReadStream(localPath), options, size)
}

async function localFileSize (path: string): Promise<number> {
  const info = await fileStat(path).catch((error: unknown) => {
    if (systemCode(error) === 'ENOENT' || systemCode(error) === 'ENOTDIR') return undefined
    throw new StorageError('STORAGE_FILE_NOT_FOUND', `Local file ${path} cannot be read: ${errorText(error)}.`, { cause: error })
  })
  if (info === undefined || !info.isFile()) throw new StorageError('STORAGE_FILE_NOT_FOUND', `Local file ${path} does not exist or is not a file.`)
  return info.size
}

/** Awaits `promise`, turning whatever it rejects with into a StorageError. */
async function coded<T> (promise: Promise<T>, code: StorageErrorCode, context: string): Promise<T> {
  try {
    return await promise
  } catch (error) {
    throw asStorageError(error, code, context)
  }
}
