import { createPublicKey, generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto'

/** A service-account key file as Google Cloud issues it. */
export interface ServiceAccountJson {
  type: 'service_account'
  project_id: string
  private_key_id: string
  private_key: string
  client_email: string
  client_id: string
  auth_uri: string
  token_uri: string
  [field: string]: string
}

/** A new RSA key for `email`, as the JSON Google Cloud would give for it. */
export function serviceAccountKey (project: string, email: string, tokenUri: string): ServiceAccountJson {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return {
    type: 'service_account',
    project_id: project,
    private_key_id: randomBytes(20).toString('hex'),
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: email,
    client_id: String(100_000_000_000_000_000_000n + BigInt(randomBytes(4).readUInt32BE())),
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: tokenUri
  }
}

/**
 * The OAuth side of the stand-in: the token endpoint Google's JWT bearer flow posts to (RFC 7523),
 * checking the assertion's RS256 signature against the accounts it knows, and the access tokens it issued.
 */
export class TokenIssuer {
  private readonly accounts = new Map<string, KeyObject>()
  private readonly tokens = new Set<string>()

  /** Lets the key's account sign in. */
  allow (key: ServiceAccountJson): void {
    this.accounts.set(key.client_email, createPublicKey(key.private_key))
  }

  /** Revokes every access token issued so far (the key is then checked again on the next request). */
  revokeTokens (): void {
    this.tokens.clear()
  }

  /** True when the Authorization header carries a token this issuer gave out. */
  authorized (header: string | undefined): boolean {
    return header !== undefined && this.tokens.has(header.replace(/^Bearer /, ''))
  }

  /** Answers a token request's form body: [status, JSON body]. */
  exchange (form: string): [number, object] {
    const params = new URLSearchParams(form)
    if (params.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return [400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type.' }]
    }
    const [header = '', payload = '', signature = ''] = (params.get('assertion') ?? '').split('.')
    let claims: { iss?: string, scope?: string, exp?: number }
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims
    } catch {
      return [400, { error: 'invalid_grant', error_description: 'Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.' }]
    }
    const key = this.accounts.get(claims.iss ?? '')
    if (key === undefined) return [400, { error: 'invalid_grant', error_description: 'Invalid grant: account not found' }]
    if (!verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'))) {
      return [400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }]
    }
    if (!(claims.scope ?? '').split(' ').includes('https://www.googleapis.com/auth/bigquery')) {
      return [400, { error: 'invalid_scope', error_description: 'The BigQuery scope was not asked for.' }]
    }
    const token = `ya29.${randomBytes(24).toString('base64url')}`
    this.tokens.add(token)
    return [200, { access_token: token, expires_in: 3599, token_type: 'Bearer' }]
  }
}
