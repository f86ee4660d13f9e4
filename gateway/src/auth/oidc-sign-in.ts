import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import Type from 'typebox'

/** What the console needs to sign a user in with the OIDC provider: all of it public (no secret in a public client). */
export const OidcSignInEnv = {
  KALLA_OIDC_CLIENT_ID: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'The public client id registered for the web console at the OIDC provider (Authorization Code with PKCE, no client secret, redirect URI <the gateway\'s address>/); with KALLA_JWT_*, the console offers "Sign in with KALLA_OIDC_PROVIDER_NAME"' })),
  KALLA_OIDC_PROVIDER_NAME: Type.String({ minLength: 1, maxLength: 60, default: 'single sign-on', description: 'The provider\'s name on the console\'s sign-in button: "Sign in with <name>"' }),
  KALLA_OIDC_DISCOVERY_URL: Type.Optional(Type.String({ pattern: '^https?://', description: 'The provider\'s discovery document (default: KALLA_JWT_ISSUER/.well-known/openid-configuration); its issuer must equal KALLA_JWT_ISSUER and its token endpoint must be on the same origin' })),
  KALLA_OIDC_SCOPES: Type.String({ pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+( [\\x21\\x23-\\x5B\\x5D-\\x7E]+)*$', default: 'openid', description: 'The scopes the console asks for, separated by spaces' })
}

interface OidcSignInConfig {
  KALLA_OIDC_CLIENT_ID?: string
  KALLA_OIDC_PROVIDER_NAME: string
  KALLA_OIDC_DISCOVERY_URL?: string
  KALLA_OIDC_SCOPES: string
  KALLA_JWT_ISSUER?: string
  KALLA_JWT_JWKS_URL?: string
}

/** GET /auth/config's answer: how a browser may sign in. Nothing in it is secret. */
export interface SignInOptions {
  oidc: { name: string, clientId: string, scope: string, authorizationEndpoint: string, tokenEndpoint: string } | null
  /** Set when OIDC sign-in is configured but the provider's discovery document could not be used. */
  oidcProblem?: { code: string, message: string }
}

const DISCOVERY_TIMEOUT_MS = 5000
const CACHE_MS = 10 * 60_000
const RETRY_MS = 30_000

/** The discovery URL, or undefined when the console is not to offer OIDC sign-in. Refuses a client id without KALLA_JWT_*. */
export function discoveryUrl (config: OidcSignInConfig): string | undefined {
  if (config.KALLA_OIDC_CLIENT_ID === undefined) return undefined
  if (config.KALLA_JWT_ISSUER === undefined || config.KALLA_JWT_JWKS_URL === undefined) {
    throw new Error('KALLA_OIDC_CLIENT_ID needs KALLA_JWT_JWKS_URL, KALLA_JWT_ISSUER and KALLA_JWT_AUDIENCE: the gateway must accept the tokens the console signs in with')
  }
  return config.KALLA_OIDC_DISCOVERY_URL ?? `${config.KALLA_JWT_ISSUER.replace(/\/$/, '')}/.well-known/openid-configuration`
}

/**
 * The origins the console's page must be allowed to connect to (its CSP connect-src): the provider's,
 * where the browser exchanges the code for a token. The discovery document itself is read by the gateway.
 */
export function signInConnectOrigins (config: OidcSignInConfig): string[] {
  const url = discoveryUrl(config)
  return url === undefined ? [] : [new URL(url).origin]
}

/**
 * GET /auth/config (public): the console's sign-in choices. The provider's endpoints come from its
 * discovery document, fetched here (not by the browser) and cached, so a provider that does not answer
 * costs one attempt every 30 s and the console still offers API keys.
 */
export async function signInRoutes (app: FastifyInstance, options: { config: OidcSignInConfig }): Promise<void> {
  const { config } = options
  const url = discoveryUrl(config)
  let cached: { at: number, value: SignInOptions } | undefined
  const load = async (): Promise<SignInOptions> => {
    if (url === undefined || config.KALLA_OIDC_CLIENT_ID === undefined) return { oidc: null }
    if (cached !== undefined && Date.now() - cached.at < (cached.value.oidc === null ? RETRY_MS : CACHE_MS)) return cached.value
    cached = { at: Date.now(), value: await discover(url, config, app.log) }
    return cached.value
  }
  app.get('/auth/config', async (_request, reply) => await reply.header('cache-control', 'no-store').send(await load()))
}

async function discover (url: string, config: OidcSignInConfig, log: FastifyBaseLogger): Promise<SignInOptions> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS), headers: { accept: 'application/json' } })
    if (!response.ok) throw new Error(`the discovery document answered ${response.status}`)
    const document = await response.json() as Record<string, unknown>
    const endpoints = checkDiscovery(document, url, config)
    return { oidc: { name: config.KALLA_OIDC_PROVIDER_NAME, clientId: config.KALLA_OIDC_CLIENT_ID ?? '', scope: config.KALLA_OIDC_SCOPES, ...endpoints } }
  } catch (err) {
    log.warn({ err, url }, 'reading the OIDC provider\'s discovery document failed; the console offers API keys only')
    return {
      oidc: null,
      oidcProblem: { code: 'GATEWAY_OIDC_UNAVAILABLE', message: `Signing in with ${config.KALLA_OIDC_PROVIDER_NAME} is not available right now (Kalla could not read the provider's settings). Sign in with an API key, or try again in a minute; an administrator will find the cause in the gateway's log.` }
    }
  }
}

/** The two endpoints the browser uses, after checking the document describes the provider Kalla trusts. */
function checkDiscovery (document: Record<string, unknown>, url: string, config: OidcSignInConfig): { authorizationEndpoint: string, tokenEndpoint: string } {
  const { issuer, authorization_endpoint: authorize, token_endpoint: token, code_challenge_methods_supported: methods } = document
  if (issuer !== config.KALLA_JWT_ISSUER) throw new Error(`the discovery document names the issuer ${String(issuer)}, not KALLA_JWT_ISSUER`)
  if (typeof authorize !== 'string' || !/^https?:\/\//.test(authorize)) throw new Error('the discovery document has no authorization_endpoint')
  if (typeof token !== 'string' || new URL(token).origin !== new URL(url).origin) throw new Error('the token endpoint is missing or on another origin than the discovery document (the console page may connect to that origin only)')
  if (Array.isArray(methods) && !methods.includes('S256')) throw new Error('the provider does not support PKCE with S256')
  return { authorizationEndpoint: authorize, tokenEndpoint: token }
}
