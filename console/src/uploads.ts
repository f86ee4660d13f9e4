import type { UploadedFile } from './api.ts'

// The API lists no uploads, so the console keeps the ones made in this browser to bind them to runs later.
const KEY = 'kalla.uploads'

export function rememberedUploads (): UploadedFile[] {
  try { return JSON.parse(localStorage.getItem(KEY) ?? '[]') as UploadedFile[] } catch { return [] }
}

export function rememberUpload (file: UploadedFile): void {
  localStorage.setItem(KEY, JSON.stringify([file, ...rememberedUploads().filter((u) => u.uploadId !== file.uploadId)].slice(0, 50)))
}
