import type { Readable } from 'node:stream'
import type { Upload } from '@kalla/proto'
import { isStorageError, type Storage } from '@kalla/storage'
import { newUploadId, tooLarge, uploadKey } from './upload-keys.ts'

/** What receiving an upload needs; the gateway passes a `record` that sends CreateUpload over the bus. */
export interface ReceiveUploadDeps {
  storage: Storage
  maxBytes: number
  /** Records the stored file: the sources service's createUpload, or a CreateUpload request. */
  record: (file: { key: string, filename: string, size_bytes: number, uploaded_by?: string }) => Promise<Upload>
}

/**
 * Streams an uploaded file into storage under uploads/<id>/<safe name> — never holding it whole in
 * memory — then records it. A file over `maxBytes` is refused with SOURCES_UPLOAD_TOO_LARGE and
 * nothing is kept; a file that cannot be recorded is deleted again.
 * @example const upload = await receiveUpload({ storage, maxBytes, record: (f) => bus.request(CreateUpload, f) }, part.file, part.filename)
 */
export async function receiveUpload (deps: ReceiveUploadDeps, stream: Readable, filename: string, uploadedBy?: string): Promise<Upload> {
  const key = uploadKey(newUploadId(), filename)
  let sizeBytes: number
  try {
    sizeBytes = (await deps.storage.put(key, stream, { maxBytes: deps.maxBytes })).sizeBytes
  } catch (error) {
    if (isTooLarge(error)) throw tooLarge(filename, deps.maxBytes)
    throw error
  }
  try {
    return await deps.record({ key, filename, size_bytes: sizeBytes, ...(uploadedBy === undefined ? {} : { uploaded_by: uploadedBy }) })
  } catch (error) {
    await deps.storage.delete(key).catch(() => {})
    throw error
  }
}

// The storage's own limit, or a multipart parser's file size limit surfacing as the stream's error.
function isTooLarge (error: unknown): boolean {
  if (isStorageError(error, 'STORAGE_TOO_LARGE')) return true
  const cause = (error as { cause?: { code?: unknown } }).cause
  return cause?.code === 'FST_REQ_FILE_TOO_LARGE'
}
