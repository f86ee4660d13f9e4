import cors from '@fastify/cors'
import helmet from '@fastify/helmet'
import type { FastifyInstance, RouteOptions } from 'fastify'

/**
 * Security headers on every answer (@fastify/helmet). The API answers JSON, CSV, Parquet and workbooks,
 * never pages, so its Content-Security-Policy allows nothing (`default-src 'none'`, no framing). The web
 * console's page and assets may load their own scripts, styles and connections ('self') and nothing else. The
 * GraphiQL page (when GATEWAY_GRAPHIQL is on, bundled with the console) gets a policy that lets it run: its
 * own scripts, its editors' inline styles and bundled fonts (data: URLs), and requests back to this gateway only.
 */
export async function securityHeaders (app: FastifyInstance, options: { consoleConnect?: readonly string[] } = {}): Promise<void> {
  // The console signs in with an OIDC provider by calling its token endpoint: that origin, and no other.
  const consoleCsp = { ...CONSOLE_CSP, connectSrc: [...CONSOLE_CSP.connectSrc, ...options.consoleConnect ?? []] }
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.url === '/' || route.url.startsWith('/assets/')) route.helmet = { contentSecurityPolicy: { useDefaults: false, directives: consoleCsp } }
    if (route.url === '/graphiql' || route.url.startsWith('/graphiql/')) route.helmet = { contentSecurityPolicy: { useDefaults: false, directives: GRAPHIQL_CSP } }
  })
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] } },
    // Downloads are fetched by pages of allowed origins (CORS); the default same-origin would block them.
    crossOriginResourcePolicy: { policy: 'same-site' }
  })
}

/**
 * The console: its own scripts, style sheets and websocket only; no inline script or <style> element,
 * nothing from another origin. (Its SQL editor lives in a shadow root, where CodeMirror styles itself with
 * constructed style sheets, which a CSP does not govern.)
 */
const CONSOLE_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"]
}

const GRAPHIQL_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  workerSrc: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"]
}

/**
 * CORS (@fastify/cors) for the configured origins only: with none, no page of another origin may read an
 * answer. Keys travel in the Authorization header, never in cookies, so credentials stay off.
 * Preflights are answered before authentication (browsers send no key with them).
 */
export async function corsPolicy (app: FastifyInstance, origins: readonly string[]): Promise<void> {
  await app.register(cors, {
    origin: origins.length === 0 ? false : [...origins],
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type'],
    exposedHeaders: ['content-disposition', 'retry-after'],
    maxAge: 600
  })
}

/** An onRoute hook giving POST /graphql its own body limit (GATEWAY_BODY_MAX_BYTES): query and variables together. */
export function graphqlBodyLimit (bytes: number) {
  return (route: RouteOptions): void => {
    if (route.url === '/graphql' && [route.method].flat().includes('POST')) route.bodyLimit = bytes
  }
}
