import { StorageError } from './errors.ts'

/** S3's own limit on a key, in bytes; keys are ASCII here, so characters and bytes agree. */
export const MAX_KEY_LENGTH = 1024
/** The usual file-name limit, so that every key can also be a path on local disk. */
const MAX_SEGMENT_LENGTH = 255
/*
 * Letters, digits and punctuation that mean nothing to a shell, a URL path, S3 or a file system.
 * A segment may not start with a dot: that rules out "." and "..", keeps keys visible in listings,
 * and leaves dot names free for the local store's unfinished writes.
 */
const SEGMENT = /^[A-Za-z0-9_=+@,~()-][A-Za-z0-9._=+@,~()-]*$/
const ALLOWED_CHAR = /[A-Za-z0-9._=+@,~()/-]/

/** Why `key` is not a valid key, or undefined when it is. */
export function keyProblem (key: unknown): string | undefined {
  if (typeof key !== 'string') return 'must be a string'
  if (key === '') return 'must not be empty'
  if (key.length > MAX_KEY_LENGTH) return `must be at most ${MAX_KEY_LENGTH} characters long`
  if (key.startsWith('/')) return 'must be relative (no leading /)'
  if (key.endsWith('/')) return 'must not end with /'
  const bad = [...key].find((c) => !ALLOWED_CHAR.test(c))
  if (bad !== undefined) return `must not contain ${JSON.stringify(bad)} (allowed: letters, digits and . _ - = + @ , ~ ( ) /)`
  for (const segment of key.split('/')) {
    if (segment === '') return 'must not contain an empty segment (//)'
    if (segment === '..' || segment === '.') return `must not contain a ${segment} segment`
    if (segment.length > MAX_SEGMENT_LENGTH) return `must not have a segment longer than ${MAX_SEGMENT_LENGTH} characters`
    if (!SEGMENT.test(segment)) return `must not have a segment that starts with a dot (${JSON.stringify(segment)})`
  }
  return undefined
}

export function isValidKey (key: unknown): key is string {
  return keyProblem(key) === undefined
}

/** Throws STORAGE_KEY_INVALID unless `key` is relative, /-separated, free of . and .. and of unusual characters. */
export function assertKey (key: unknown): asserts key is string {
  const problem = keyProblem(key)
  if (problem !== undefined) throw new StorageError('STORAGE_KEY_INVALID', `Storage key ${quoted(key)} is not valid: it ${problem}.`)
}

/**
 * A listing prefix is a key, a key followed by "/", or "" for everything; like S3, it matches
 * by characters, so "runs/7" matches "runs/7/summary.json" and "runs/70/summary.json".
 */
export function assertPrefix (prefix: unknown): asserts prefix is string {
  if (prefix === '') return
  const problem = keyProblem(typeof prefix === 'string' && prefix.endsWith('/') ? prefix.slice(0, -1) : prefix)
  if (problem !== undefined) throw new StorageError('STORAGE_KEY_INVALID', `Storage prefix ${quoted(prefix)} is not valid: it ${problem}.`)
}

/** Keys can be long or hostile; messages show a bounded, escaped form. */
function quoted (value: unknown): string {
  const text = JSON.stringify(typeof value === 'string' ? value : String(value))
  return text.length > 120 ? `${text.slice(0, 117)}...` : text
}
