import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import type { Test } from 'tap'
import { isStorageError, type StorageErrorCode } from '../src/index.ts'

export const MIB = 1024 * 1024

/** A fresh temporary directory, removed when the test ends. */
export async function tempDir (t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kalla-storage-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

export async function failsWith (t: Test, promise: Promise<unknown>, code: StorageErrorCode): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  t.ok(isStorageError(error), `fails with a coded storage error (${code})`)
  t.equal(isStorageError(error) ? error.code : String(error), code)
  return isStorageError(error) ? error.message : ''
}

/** Random bytes in 64 KiB chunks, generated as they are read; `digest()` is their sha256 once the stream has ended. */
export function randomStream (sizeBytes: number, options: { failAfter?: number } = {}): { stream: Readable, digest: () => string } {
  const hash = createHash('sha256')
  let sent = 0
  const stream = new Readable({
    read () {
      if (options.failAfter !== undefined && sent >= options.failAfter) {
        this.destroy(new Error('the source broke off'))
        return
      }
      if (sent >= sizeBytes) {
        this.push(null)
        return
      }
      const chunk = randomBytes(Math.min(64 * 1024, sizeBytes - sent))
      sent += chunk.length
      hash.update(chunk)
      this.push(chunk)
    }
  })
  return { stream, digest: () => hash.digest('hex') }
}

export async function sha256 (stream: AsyncIterable<Buffer | string>): Promise<{ hex: string, bytes: number }> {
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of stream) {
    hash.update(chunk)
    bytes += chunk.length
  }
  return { hex: hash.digest('hex'), bytes }
}

export async function text (stream: AsyncIterable<Buffer | string>): Promise<string> {
  let out = ''
  for await (const chunk of stream) out += chunk.toString()
  return out
}

export async function collect (keys: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = []
  for await (const key of keys) out.push(key)
  return out
}
