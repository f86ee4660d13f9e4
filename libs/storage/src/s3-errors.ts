import { errorText, isStorageError, StorageError, systemCode, type StorageErrorCode } from './errors.ts'

const DENIED = new Set(['AccessDenied', 'Forbidden', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'CredentialsProviderError'])
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE'])
const UNREACHABLE_NAMES = new Set(['TimeoutError', 'AbortError', 'RequestTimeout', 'ServiceUnavailable', 'SlowDown', 'InternalError'])

interface SdkError {
  name: string
  status: number | undefined
}

function sdkError (error: unknown): SdkError {
  const name = error instanceof Error ? error.name : 'Error'
  const metadata = typeof error === 'object' && error !== null && '$metadata' in error ? error.$metadata : undefined
  const status = typeof metadata === 'object' && metadata !== null && 'httpStatusCode' in metadata ? metadata.httpStatusCode : undefined
  return { name, status: typeof status === 'number' ? status : undefined }
}

/** True for the SDK's "no such object" answers: GetObject says NoSuchKey, HeadObject has only a bare 404. */
export function isS3NotFound (error: unknown): boolean {
  const { name } = sdkError(error)
  return name === 'NoSuchKey' || name === 'NotFound'
}

/** Why the storage cannot be used at all (no bucket, no access, no answer), or undefined for other failures. */
function unusable (error: unknown, bucket: string): { code: StorageErrorCode, reason: string } | undefined {
  const { name, status } = sdkError(error)
  // A bare 404 reaches here only from HeadBucket: object calls check isS3NotFound first.
  if (name === 'NoSuchBucket' || (status === 404 && name === 'NotFound')) return { code: 'STORAGE_UNAVAILABLE', reason: `bucket ${bucket} does not exist` }
  if (DENIED.has(name) || status === 403 || status === 401) {
    return { code: 'STORAGE_ACCESS_DENIED', reason: `access was denied (${name}); check the credentials and the bucket policy` }
  }
  const errno = systemCode(error)
  if ((errno !== undefined && NETWORK.has(errno)) || UNREACHABLE_NAMES.has(name) || (status !== undefined && status >= 500)) {
    return { code: 'STORAGE_UNAVAILABLE', reason: `the service did not answer (${errno ?? name}: ${errorText(error)})` }
  }
  return undefined
}

/**
 * Turns an SDK error into a StorageError. Authentication failures keep no cause: S3 echoes the access
 * key id and the string it signed in such answers, and a logged cause would carry them along.
 */
export function fromS3Error (error: unknown, code: StorageErrorCode, context: string, bucket: string): StorageError {
  if (isStorageError(error)) return error
  const problem = unusable(error, bucket)
  if (problem?.code === 'STORAGE_ACCESS_DENIED') return new StorageError(problem.code, `${context}: ${problem.reason}.`)
  if (problem !== undefined) return new StorageError(problem.code, `${context}: ${problem.reason}.`, { cause: error })
  const { name, status } = sdkError(error)
  const detail = status === undefined ? `${name}: ${errorText(error)}` : `${name} (HTTP ${status}): ${errorText(error)}`
  return new StorageError(code, `${context}: ${detail}.`, { cause: error })
}
