import { randomUUID } from 'node:crypto'
import type { CodedError } from '@kalla/service'
import { UploadErrors } from './errors.ts'

const UPLOAD_KEY = /^uploads\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/[^/]+$/

export function newUploadId (): string {
  return randomUUID()
}

/** Where an upload's file is stored: uploads/<upload id>/<file name made safe for any store>. */
export function uploadKey (uploadId: string, filename: string): string {
  const base = filename.split(/[/\\]/).pop() ?? ''
  let safe = base.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[._]+/, '')
  if (safe.length > 200) {
    const dot = safe.lastIndexOf('.')
    const extension = dot > 0 && safe.length - dot <= 16 ? safe.slice(dot) : ''
    safe = safe.slice(0, 200 - extension.length) + extension
  }
  return `uploads/${uploadId}/${safe === '' ? 'upload' : safe}`
}

/** The upload id inside a key made by uploadKey, if it is one. */
export function uploadIdOfKey (key: string): string | undefined {
  return UPLOAD_KEY.exec(key)?.[1]
}

export function tooLarge (filename: string, maxBytes: number): CodedError {
  return UploadErrors.SOURCES_UPLOAD_TOO_LARGE(`${filename} is larger than the ${formatBytes(maxBytes)} an upload may be: split it, or export fewer rows.`)
}

function formatBytes (bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++ }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`
}
