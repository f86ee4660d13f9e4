/** Every code storage can fail with. Messages name the bucket or directory and the key, never credentials. */
export const StorageErrorCodes = {
  STORAGE_KEY_INVALID: 'A storage key is not valid',
  STORAGE_NOT_FOUND: 'No object is stored under the key',
  STORAGE_TOO_LARGE: 'An object is larger than allowed',
  STORAGE_FILE_NOT_FOUND: 'A local file to upload does not exist',
  STORAGE_WRITE_FAILED: 'An object could not be stored',
  STORAGE_READ_FAILED: 'An object could not be read',
  STORAGE_DELETE_FAILED: 'An object could not be deleted',
  STORAGE_ACCESS_DENIED: 'The storage refused the credentials or the operation',
  STORAGE_UNAVAILABLE: 'The storage cannot be reached',
  STORAGE_CONFIG_INVALID: 'The storage configuration is not valid',
  STORAGE_CLOSED: 'The storage has been closed'
} as const
export type StorageErrorCode = keyof typeof StorageErrorCodes

const STATUS_CODES: Record<StorageErrorCode, number> = {
  STORAGE_KEY_INVALID: 400,
  STORAGE_NOT_FOUND: 404,
  STORAGE_TOO_LARGE: 413,
  STORAGE_FILE_NOT_FOUND: 500,
  STORAGE_WRITE_FAILED: 500,
  STORAGE_READ_FAILED: 500,
  STORAGE_DELETE_FAILED: 500,
  STORAGE_ACCESS_DENIED: 500,
  STORAGE_UNAVAILABLE: 503,
  STORAGE_CONFIG_INVALID: 500,
  STORAGE_CLOSED: 500
}

export class StorageError extends Error {
  readonly code: StorageErrorCode
  readonly statusCode: number

  constructor (code: StorageErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = 'StorageError'
    this.code = code
    this.statusCode = STATUS_CODES[code]
  }
}

/** True for a StorageError, and when `code` is given, for one with that code. */
export function isStorageError (error: unknown, code?: StorageErrorCode): error is StorageError {
  return error instanceof StorageError && (code === undefined || error.code === code)
}

/** Keeps a StorageError as it is; wraps anything else under `code` with the original as its cause. */
export function asStorageError (error: unknown, code: StorageErrorCode, context: string): StorageError {
  if (isStorageError(error)) return error
  return new StorageError(code, `${context}: ${errorText(error)}.`, { cause: error })
}

/** The message of anything thrown, for wrapping into a message of our own. */
export function errorText (error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Node's system error code (ENOENT, ECONNREFUSED...), when there is one. */
export function systemCode (error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined
  return typeof error.code === 'string' ? error.code : undefined
}
