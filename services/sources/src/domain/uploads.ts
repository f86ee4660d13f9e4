import type { SourceOptions, Upload } from '@kalla/proto'
import { CodedError } from '@kalla/service'
import { isStorageError } from '@kalla/storage'
import { deleteUpload, expiredUploads, findLiveUpload, insertUpload, listLiveUploads } from '../db/uploads-repository.ts'
import { SourcesErrors } from '../errors.ts'
import type { SourcesDeps } from './deps.ts'
import { newUploadId, tooLarge, uploadIdOfKey } from '@kalla/uploads'
import { describeObject, describeUploadedObject } from './object-files.ts'

const SWEEP_BATCH = 100

/**
 * Records a file already in storage under `key`: checks its size, detects its format and reads its
 * columns (only the header or a sample). A file that is too large or unreadable is refused and
 * deleted; a CSV that only a source's file options can read is kept with no columns (a run reads it
 * with its recipe source's options, see describeUpload). The upload keeps the id in its key when it has one (uploads/<id>/...).
 */
export async function createUpload (deps: SourcesDeps, request: { key: string, filename: string, size_bytes: number, uploaded_by?: string }): Promise<Upload> {
  const filename = request.filename.trim().slice(0, 255) || 'upload'
  const stat = await deps.storage.stat(request.key).catch((error: unknown) => {
    if (isStorageError(error, 'STORAGE_KEY_INVALID')) return undefined
    throw error
  })
  if (stat === undefined) throw SourcesErrors.SOURCES_UPLOAD_OBJECT_MISSING(`Nothing is stored under ${request.key}: store the file first, then record it.`)
  if (stat.sizeBytes > deps.uploads.maxBytes) {
    await discard(deps, request.key)
    throw tooLarge(filename, deps.uploads.maxBytes)
  }
  let described: Pick<Upload, 'format' | 'columns'>
  try {
    described = await describeUploadedObject(deps.files, { key: request.key, filename }, SourcesErrors.SOURCES_UPLOAD_UNREADABLE)
  } catch (error) {
    if (error instanceof CodedError && error.code === 'SOURCES_UPLOAD_UNREADABLE') await discard(deps, request.key)
    throw error
  }
  const now = new Date()
  const upload: Upload = {
    upload_id: uploadIdOfKey(request.key) ?? newUploadId(),
    filename,
    ...described,
    size_bytes: stat.sizeBytes,
    key: request.key,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + deps.uploads.ttlMs).toISOString()
  }
  if (!await insertUpload(deps.db, upload, request.uploaded_by)) {
    upload.upload_id = newUploadId()
    await insertUpload(deps.db, upload, request.uploaded_by)
  }
  deps.log.info({ upload_id: upload.upload_id, format: upload.format, size_bytes: upload.size_bytes, columns: upload.columns.length }, 'upload recorded')
  return upload
}

/** The caller's live uploads, newest first (expired ones are gone even before the sweep deletes them). */
export async function listUploads (deps: SourcesDeps, uploadedBy: string, limit: number): Promise<{ uploads: Upload[] }> {
  return { uploads: await listLiveUploads(deps.db, uploadedBy, new Date(), limit) }
}

/** A live upload; an expired one is refused at once, even before the sweep has deleted it. */
export async function getUpload (deps: SourcesDeps, uploadId: string): Promise<Upload> {
  const upload = await findLiveUpload(deps.db, uploadId, new Date())
  if (upload === undefined) throw SourcesErrors.SOURCES_UPLOAD_NOT_FOUND(`There is no upload "${uploadId}", or it has expired: upload the file again.`)
  return upload
}

/**
 * A live upload with its columns read with a recipe source's options (delimiter, encoding, header row,
 * sheet, column types), as a run reads it. A file those options cannot read is refused with
 * SOURCES_UPLOAD_UNREADABLE; the upload itself is kept, since other options may read it.
 */
export async function describeUpload (deps: SourcesDeps, uploadId: string, options: SourceOptions): Promise<Upload> {
  const upload = await getUpload(deps, uploadId)
  const described = await describeObject(deps.files, { key: upload.key, filename: upload.filename }, SourcesErrors.SOURCES_UPLOAD_UNREADABLE, options)
  return { ...upload, ...described }
}

/**
 * Deletes expired uploads: the object first, then the row, so a failure leaves the row to retry.
 * Stops at the first object that cannot be deleted and returns how many went.
 */
export async function sweepExpiredUploads (deps: SourcesDeps, now = new Date()): Promise<number> {
  let swept = 0
  for (;;) {
    const batch = await expiredUploads(deps.db, now, SWEEP_BATCH)
    for (const upload of batch) {
      await deps.storage.delete(upload.key)
      await deleteUpload(deps.db, upload.upload_id)
      swept++
    }
    if (batch.length < SWEEP_BATCH) break
  }
  if (swept > 0) deps.log.info({ swept }, 'expired uploads deleted')
  return swept
}

async function discard (deps: SourcesDeps, key: string): Promise<void> {
  await deps.storage.delete(key).catch((error: unknown) => { deps.log.error({ key, err: error }, 'a refused upload could not be deleted') })
}
