import Type, { type Static } from 'typebox'
import { DatabaseEnv, loadConfig, serviceEnv } from '@kalla/service'
import { StorageEnv } from '@kalla/storage'
import { JwtEnv } from './auth/jwt-settings.ts'
import { OidcSignInEnv } from './auth/oidc-sign-in.ts'

export const GatewayConfig = Type.Object({
  ...serviceEnv(4000),
  ...StorageEnv,
  ...DatabaseEnv,
  GATEWAY_DB_SCHEMA: Type.String({ pattern: '^[a-z_][a-z0-9_]*$', default: 'auth', description: 'Postgres schema owned by the gateway: its API keys' }),
  GATEWAY_AUDIT_DB_SCHEMA: Type.String({ pattern: '^[a-z_][a-z0-9_]*$', default: 'audit', description: 'Postgres schema of the audit trail: every mutation, upload, download and key change, append-only and hash-chained' }),
  KALLA_ADMIN_KEY: Type.Optional(Type.String({ minLength: 32, description: 'A key with the admin role, at least 32 characters (openssl rand -base64 32); the scaled gateway needs it or KALLA_ADMIN_KEY_FILE' })),
  KALLA_ADMIN_KEY_FILE: Type.Optional(Type.String({ minLength: 1, description: 'A file holding the admin key (a mounted secret), read at start' })),
  ...JwtEnv,
  ...OidcSignInEnv,
  GATEWAY_WS_RECHECK_MS: Type.Integer({ minimum: 100, default: 10_000, description: 'How often the API keys of open websockets are verified again: a key revoked elsewhere ends its subscriptions within this time plus GATEWAY_KEY_CACHE_TTL_S' }),
  GATEWAY_KEY_CACHE_TTL_S: Type.Integer({ minimum: 0, default: 30, description: 'How long a verified API key is trusted before it is looked up again: a key revoked through another gateway stops working within this time' }),
  GATEWAY_UPLOAD_MAX_BYTES: Type.Integer({ minimum: 1, default: 5 * 1024 ** 3, description: 'Largest file accepted by POST /uploads' }),
  GATEWAY_REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 30_000, description: 'How long a service may take to answer one request (previews and uploads read data)' }),
  GATEWAY_MAX_DEPTH: Type.Integer({ minimum: 2, default: 8, description: 'Deepest field nesting a query or subscription may have' }),
  GATEWAY_MAX_COST: Type.Integer({ minimum: 1, default: 20_000, description: 'Highest cost a query or subscription may have (one per field, lists multiplied by their limit)' }),
  GATEWAY_JIT: Type.Integer({ minimum: 0, default: 0, description: 'Compile a query with graphql-jit after it has run this many times (0: never): faster execution of large answers, but its errors carry no locations' }),
  GATEWAY_GRAPHIQL: Type.Optional(Type.Boolean({ description: 'Serve GraphiQL at /graphiql (bundled with the console: it loads nothing from other sites); on in single mode on a developer machine, off for the scaled gateway and in production unless set' })),
  GATEWAY_INTROSPECTION: Type.Optional(Type.Boolean({ description: 'Answer GraphQL introspection (__schema, __type); refused with GATEWAY_INTROSPECTION_DISABLED when off. Off unless set: the page fetches its scripts from a public CDN' })),
  KALLA_CORS_ORIGINS: Type.Optional(Type.String({ pattern: '^\\s*https?://[^\\s,/]+(\\s*,\\s*https?://[^\\s,/]+)*\\s*$', description: 'Comma-separated origins (scheme://host[:port]) whose pages may call the API from a browser and open its websocket; none when unset (same-origin pages and non-browser clients are always allowed)' })),
  GATEWAY_TRUST_PROXY: Type.Optional(Type.String({ minLength: 1, description: 'Take the client address from X-Forwarded-For set by these proxies: true (any), a hop count, or comma-separated addresses/CIDRs; used by the per-address rate limit' })),
  GATEWAY_BODY_MAX_BYTES: Type.Integer({ minimum: 1024, default: 1024 * 1024, description: 'Largest GraphQL request body (query and variables); larger ones are refused with GATEWAY_BODY_TOO_LARGE (413)' }),
  GATEWAY_RATE_LIMIT_WINDOW_S: Type.Integer({ minimum: 1, default: 60, description: 'Window of the rate limits, in seconds' }),
  GATEWAY_RATE_LIMIT_MAX: Type.Integer({ minimum: 0, default: 600, description: 'Requests per window for one API key (websocket connections included); over it: 429 GATEWAY_RATE_LIMITED with Retry-After. 0: no limit' }),
  GATEWAY_RATE_LIMIT_ADDRESS_MAX: Type.Integer({ minimum: 0, default: 1200, description: 'Requests per window from one client address, counted before authentication (so unauthenticated floods and key guessing are limited too). 0: no limit' }),
  GATEWAY_MAX_ROOT_FIELDS: Type.Integer({ minimum: 1, default: 20, description: 'Most root fields (aliases included) one operation may ask for' }),
  GATEWAY_MAX_ALIASES: Type.Integer({ minimum: 0, default: 50, description: 'Most aliases one GraphQL document may use' }),
  GATEWAY_MAX_OPERATIONS: Type.Integer({ minimum: 1, default: 10, description: 'Most operations one GraphQL document may define (only the one named by operationName runs; batched JSON arrays are refused)' }),
  GATEWAY_MAX_TOKENS: Type.Integer({ minimum: 100, default: 5000, description: 'Most lexical tokens a GraphQL document may have; parsing stops there' }),
  GATEWAY_MUTATION_COST: Type.Integer({ minimum: 1, default: 2000, description: 'Cost of each mutation field toward GATEWAY_MAX_COST (with the defaults, at most 9 mutations a request): mutations do work in services' }),
  GATEWAY_WORK_DIR: Type.Optional(Type.String({ minLength: 1, description: 'Where result files are cached and CSV downloads are written (default: the OS temporary directory)' })),
  GATEWAY_RESULTS_CACHE_BYTES: Type.Integer({ minimum: 0, default: 1024 ** 3, description: 'Disk space for result files downloaded from S3 for paging; least recently used go first' }),
  GATEWAY_RESULTS_CACHE_TTL_S: Type.Integer({ minimum: 1, default: 300, description: 'How long a downloaded result file is kept after its last use' }),
  GATEWAY_XLSX_ROWS_PER_SHEET: Type.Integer({ minimum: 1, maximum: 1_048_575, default: 1_048_575, description: 'Data rows per sheet of an .xlsx download before the next sheet starts (Excel holds 1,048,576 rows with the header)' })
})
export type GatewayConfig = Static<typeof GatewayConfig>

/** Where the gateway runs: inside single mode (a developer's machine by default) or as its own process. */
export interface GatewayMode { mode?: 'single' | 'scaled' }

/**
 * The gateway's settings. Introspection defaults to on in single mode, and to off when NODE_ENV=production
 * or for the scaled gateway, which is the one exposed to users. GraphiQL is off unless asked for: its page
 * loads React and GraphiQL from a public CDN in the browser, which Kalla's own pages never do.
 */
export function loadGatewayConfig (env: Record<string, string | undefined> = process.env, { mode = 'single' }: GatewayMode = {}): GatewayConfig {
  const config = loadConfig(GatewayConfig, env)
  const developerTools = mode === 'single' && env.NODE_ENV !== 'production'
  return { ...config, GATEWAY_GRAPHIQL: config.GATEWAY_GRAPHIQL ?? developerTools, GATEWAY_INTROSPECTION: config.GATEWAY_INTROSPECTION ?? developerTools }
}

/** KALLA_CORS_ORIGINS as a list, without trailing spaces; empty when unset. */
export function corsOrigins (config: Pick<GatewayConfig, 'KALLA_CORS_ORIGINS'>): string[] {
  return (config.KALLA_CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter((o) => o !== '')
}

/** GATEWAY_TRUST_PROXY as fastify's trustProxy option. */
export function trustProxy (config: Pick<GatewayConfig, 'GATEWAY_TRUST_PROXY'>): boolean | string[] | ((address: string, hop: number) => boolean) {
  const value = config.GATEWAY_TRUST_PROXY?.trim()
  if (value === undefined || value === 'false') return false
  if (value === 'true') return true
  if (/^\d+$/.test(value)) {
    const hops = Number(value)
    return (_address, hop) => hop < hops
  }
  return value.split(',').map((a) => a.trim()).filter((a) => a !== '')
}
