import { redactUri } from '@kalla/proto'

// Members whose value is a credential whatever it holds; the pattern of proto's URI redaction, plus
// `key` and `authorization` for API keys and headers.
const SECRET_NAME = /pass|pwd|secret|token|credential|api[_-]?key|access[_-]?key|private[_-]?key|authorization|^key$|signature/i
// A password in a URI's user info, wherever the URI stands in the text (a recipe's uri, a SQL comment).
const USERINFO_PASSWORD = /([A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]*@/g
// libpq key=value connection strings: password=... (quoted or not).
const KEYWORD_PASSWORD = /\b(password|sslpassword)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/gi
export const MASK = '***'
/** Longer strings are cut: an entry records what was done, not whole documents. */
export const MAX_STRING = 4096

/**
 * Arguments as an audit entry may keep them: members named like credentials become `***`, passwords and
 * credential query parameters inside URIs become `***`, strings longer than 4,096 characters are cut,
 * and text Postgres cannot store (NUL, lone surrogates) is replaced, so recording never fails on input.
 * @example redactArgs({ input: { uri: 'postgres://app:pw@db/erp?table=t' } }) // { input: { uri: 'postgres://app:***@db/erp?table=t' } }
 */
export function redactArgs (args: Record<string, unknown>): Record<string, unknown> {
  return redactValue(args, 0) as Record<string, unknown>
}

function redactValue (value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactString(value)
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value)
  if (typeof value === 'bigint') return value.toString()
  if (value === null || typeof value === 'boolean') return value
  if (typeof value !== 'object') return null
  if (depth > 20) return '[nested too deep]'
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1))
  const redacted: Record<string, unknown> = {}
  for (const [name, member] of Object.entries(value)) {
    if (member === undefined) continue
    redacted[clean(name)] = SECRET_NAME.test(name) && member !== null ? MASK : redactValue(member, depth + 1)
  }
  return redacted
}

function redactString (text: string): string {
  let redacted = text.replaceAll(USERINFO_PASSWORD, `$1:${MASK}@`).replaceAll(KEYWORD_PASSWORD, `$1=${MASK}`)
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(redacted)) redacted = withFragment(redactUri(redacted), redacted)
  redacted = clean(redacted)
  return redacted.length > MAX_STRING ? `${redacted.slice(0, MAX_STRING)}… (${redacted.length - MAX_STRING} more characters)` : redacted
}

// proto's redactUri leaves the fragment out; an audit entry keeps it as written.
function withFragment (redacted: string, original: string): string {
  const hashAt = original.indexOf('#')
  return hashAt === -1 ? redacted : redacted + original.slice(hashAt)
}

function clean (text: string): string {
  return text.toWellFormed().replaceAll('\u0000', '\uFFFD')
}
