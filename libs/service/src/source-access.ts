import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'
import type { RequestOf, ResolveSource, ResponseOf, SourceType } from '@kalla/proto'
import { CodedError } from './errors.ts'

type ResolveRequest = RequestOf<typeof ResolveSource>
type ResolveResponse = ResponseOf<typeof ResolveSource>

const PURPOSE = 'kalla.sources.resolve.v2'
// A request older (or further in the future) than this is refused: clocks may drift, replays may not linger.
const FRESH_MS = 5 * 60_000

/** Both ends of ResolveSource: workers ask and open, the sources service checks and seals. */
export interface SourceAccess {
  /** A fresh, proven request for `alias`, and how to open its answer into the URI. */
  ask: (alias: string) => { request: ResolveRequest, open: (response: ResolveResponse) => { alias: string, type: SourceType, uri: string } }
  /** Whether the request was made by a holder of the key, recently. */
  verify: (request: ResolveRequest, now?: Date) => boolean
  /** The answer to a verified request: the URI sealed to that request. */
  seal: (request: ResolveRequest, source: { alias: string, type: SourceType, uri: string }) => ResolveResponse
}

/**
 * ResolveSource's protection with the 32-byte `KALLA_RESOLVE_KEY` (see proto's ResolveSource): an HMAC
 * proof on the request and AES-256-GCM on the answer, each with a key derived for that use, the answer
 * bound to the request's alias and nonce so it opens for that request only.
 * @example
 * const { request, open } = sourceAccess(key).ask('erp')
 * const { uri } = open(await bus.request(ResolveSource, request))
 */
export function sourceAccess (key: Buffer): SourceAccess {
  if (key.length !== 32) throw new Error('KALLA_RESOLVE_KEY must be 32 bytes')
  const macKey = derive(key, 'proof')
  const sealKey = derive(key, 'seal')
  const proofOf = (r: Omit<ResolveRequest, 'proof'>): Buffer => createHmac('sha256', macKey).update([PURPOSE, r.alias.toLowerCase(), r.nonce, r.at].join('\n')).digest()
  const aad = (r: ResolveRequest): Buffer => Buffer.from(`${PURPOSE}:${r.alias.toLowerCase()}:${r.nonce}`)
  return {
    ask: (alias) => {
      const unsigned = { alias, nonce: randomBytes(18).toString('base64url'), at: new Date().toISOString() }
      const request = { ...unsigned, proof: proofOf(unsigned).toString('base64url') }
      return { request, open: (response) => ({ alias: response.alias, type: response.type, uri: openSealed(sealKey, response.uri_sealed, aad(request)) }) }
    },
    verify: (request, now = new Date()) => {
      const age = Math.abs(now.getTime() - Date.parse(request.at))
      if (!(age <= FRESH_MS)) return false
      const given = Buffer.from(request.proof, 'base64url')
      const expected = proofOf(request)
      return given.length === expected.length && timingSafeEqual(given, expected)
    },
    seal: (request, source) => {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', sealKey, iv)
      cipher.setAAD(aad(request))
      const body = Buffer.concat([cipher.update(source.uri, 'utf8'), cipher.final()])
      return { alias: source.alias, type: source.type, uri_sealed: [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.') }
    }
  }
}

function derive (key: Buffer, use: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `${PURPOSE}:${use}`, 32))
}

function openSealed (key: Buffer, sealed: string, aad: Buffer): string {
  const [iv, tag, body] = sealed.split('.')
  try {
    if (iv === undefined || tag === undefined || body === undefined) throw new Error('malformed')
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
    decipher.setAAD(aad)
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
  } catch (error) {
    throw new CodedError('SOURCE_ACCESS_UNSEALED', 'The sources service answered with a URI this service cannot open: KALLA_RESOLVE_KEY differs between the two.', { statusCode: 500, cause: error })
  }
}
