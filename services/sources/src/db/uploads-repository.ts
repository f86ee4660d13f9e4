import type { Kysely, Selectable } from 'kysely'
import type { Upload } from '@kalla/proto'
import type { SourcesDatabase, UploadsTable } from './tables.ts'

export type UploadsDb = Kysely<SourcesDatabase>
const UNIQUE_VIOLATION = '23505'

/** Records an upload; false when its id is already taken. */
export async function insertUpload (db: UploadsDb, upload: Upload, uploadedBy?: string): Promise<boolean> {
  try {
    await db.insertInto('uploads').values({
      upload_id: upload.upload_id,
      filename: upload.filename,
      format: upload.format,
      columns: JSON.stringify(upload.columns),
      size_bytes: upload.size_bytes,
      key: upload.key,
      uploaded_by: uploadedBy ?? null,
      created_at: new Date(upload.created_at),
      expires_at: new Date(upload.expires_at)
    }).execute()
    return true
  } catch (error) {
    if ((error as { code?: string }).code === UNIQUE_VIOLATION) return false
    throw error
  }
}

/** The upload unless it does not exist or has expired by `now` (the sweep may not have run yet). */
export async function findLiveUpload (db: UploadsDb, uploadId: string, now: Date): Promise<Upload | undefined> {
  const row = await db.selectFrom('uploads').selectAll().where('upload_id', '=', uploadId).where('expires_at', '>', now).executeTakeFirst()
  return row === undefined ? undefined : toUpload(row)
}

/** The live uploads of `uploadedBy`, newest first. */
export async function listLiveUploads (db: UploadsDb, uploadedBy: string, now: Date, limit: number): Promise<Upload[]> {
  const rows = await db.selectFrom('uploads').selectAll().where('uploaded_by', '=', uploadedBy).where('expires_at', '>', now)
    .orderBy('created_at', 'desc').orderBy('upload_id', 'desc').limit(limit).execute()
  return rows.map(toUpload)
}

/** Expired uploads, oldest first, a batch at a time. */
export async function expiredUploads (db: UploadsDb, now: Date, limit: number): Promise<Upload[]> {
  const rows = await db.selectFrom('uploads').selectAll().where('expires_at', '<=', now).orderBy('expires_at').limit(limit).execute()
  return rows.map(toUpload)
}

export async function deleteUpload (db: UploadsDb, uploadId: string): Promise<void> {
  await db.deleteFrom('uploads').where('upload_id', '=', uploadId).execute()
}

function toUpload (row: Selectable<UploadsTable>): Upload {
  return {
    upload_id: row.upload_id,
    filename: row.filename,
    format: row.format,
    columns: row.columns,
    size_bytes: Number(row.size_bytes),
    key: row.key,
    created_at: row.created_at.toISOString(),
    expires_at: row.expires_at.toISOString()
  }
}
