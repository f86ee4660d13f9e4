import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream'
import { asStorageError, StorageError } from './errors.ts'
import type { PutBody } from './types.ts'

/** The size of a body that is already in memory; streams have none until they end. */
export function knownSize (body: PutBody): number | undefined {
  if (typeof body === 'string') return Buffer.byteLength(body)
  if (body instanceof Uint8Array) return body.byteLength
  return undefined
}

export function toReadable (body: PutBody): Readable {
  if (typeof body === 'string') return Readable.from([Buffer.from(body)])
  if (body instanceof Uint8Array) return Readable.from([body])
  return body
}

export function tooLarge (where: string, maxBytes: number): StorageError {
  return new StorageError('STORAGE_TOO_LARGE', `${where} was not stored: it is larger than the limit of ${maxBytes} bytes.`)
}

/** Passes bytes through, counting them, and fails as soon as the count passes `maxBytes`. */
export class ByteCounter extends Transform {
  bytes = 0
  exceeded = false
  readonly #where: string
  readonly #maxBytes: number | undefined

  constructor (where: string, maxBytes: number | undefined) {
    super()
    this.#where = where
    this.#maxBytes = maxBytes
  }

  override _transform (chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length
    if (this.#maxBytes !== undefined && this.bytes > this.#maxBytes) {
      this.exceeded = true
      callback(tooLarge(this.#where, this.#maxBytes))
      return
    }
    callback(null, chunk)
  }
}

/**
 * The object's bytes with a failure part-way (a dropped connection, say) surfaced as STORAGE_READ_FAILED,
 * so that callers can tell it from their own errors. Destroying the result releases the source.
 */
export function withCodedErrors (source: Readable, where: string): Readable {
  const out = new PassThrough()
  source.once('error', (error) => out.destroy(asStorageError(error, 'STORAGE_READ_FAILED', `${where} could not be read in full`)))
  out.once('close', () => source.destroy())
  return source.pipe(out)
}
