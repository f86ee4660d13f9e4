import type { Readable } from 'node:stream'

export type PutBody = Readable | Buffer | Uint8Array | string

export interface PutOptions {
  /** Stored with the object on S3 (served back as Content-Type); the local store ignores it. */
  contentType?: string
  /** Refuse, with STORAGE_TOO_LARGE, a body longer than this many bytes; nothing is stored then. */
  maxBytes?: number
}

export interface PutResult {
  key: string
  sizeBytes: number
}

export interface ObjectStat {
  sizeBytes: number
  modifiedAt: Date
}

export interface DownloadResult {
  path: string
  sizeBytes: number
}

/**
 * Object storage for uploads and run results. Every key is validated (STORAGE_KEY_INVALID), every
 * failure is a StorageError with a STORAGE_ code, and a write is all or nothing.
 */
export interface Storage {
  readonly kind: 'local' | 's3'
  /** Streams `body` into `key`, replacing any object there; readers see the old object or the whole new one. */
  put (key: string, body: PutBody, options?: PutOptions): Promise<PutResult>
  /** The object's bytes as a stream; STORAGE_NOT_FOUND when there is no object. */
  get (key: string): Promise<Readable>
  stat (key: string): Promise<ObjectStat | undefined>
  exists (key: string): Promise<boolean>
  /** Removes the object; removing a missing object is not an error. */
  delete (key: string): Promise<void>
  /** Removes every object whose key starts with `prefix` (which must not be empty); returns how many. */
  deletePrefix (prefix: string): Promise<number>
  /** Keys that start with `prefix`, in ascending byte order; pages are fetched as the iteration goes. */
  list (prefix?: string): AsyncIterable<string>
  /** Streams the object to a local file, which appears only once it is complete. */
  download (key: string, localPath: string): Promise<DownloadResult>
  /** Streams a local file into `key`, like put. */
  upload (localPath: string, key: string, options?: PutOptions): Promise<PutResult>
  /** Resolves when the storage can be read and written; rejects with STORAGE_UNAVAILABLE otherwise. */
  ping (): Promise<void>
  close (): Promise<void>
}

/** What one implementation provides; createStorageFrom adds validation, limits and the helpers. */
export interface Backend {
  readonly kind: Storage['kind']
  /** Where a key lives, for messages ("s3://bucket/key", "/data/key"). */
  where (key: string): string
  /** Stores the whole stream under `key` or nothing; `sizeHint` is the exact or largest expected size. */
  write (key: string, body: Readable, options: { contentType?: string, sizeHint?: number }): Promise<void>
  read (key: string): Promise<Readable>
  stat (key: string): Promise<ObjectStat | undefined>
  remove (keys: readonly string[]): Promise<void>
  /** Valid keys under an already validated prefix, in ascending byte order. */
  list (prefix: string): AsyncIterable<string>
  ping (): Promise<void>
  close (): Promise<void>
}
