import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import mercurius from 'mercurius'
import { createKeyVerifier, readAdminKey, type AuthDb } from '@kalla/auth'
import type { Bus } from '@kalla/bus'
import type { Database } from '@kalla/db'
import { CreateUpload, type RequestOf } from '@kalla/proto'
import type { Storage } from '@kalla/storage'
import { uploadRoutes } from '@kalla/uploads'
import { auditResolvers } from './audit/audit-resolvers.ts'
import { auditedMutations } from './audit/audited-mutations.ts'
import { auditRoutes } from './audit/audited-routes.ts'
import { auditRefusedMutations } from './audit/refused-mutations.ts'
import { createAuditRecorder } from './audit/recorder.ts'
import { gatewayAuth } from './auth/gateway-auth.ts'
import { jwtVerifierFrom } from './auth/jwt-settings.ts'
import { KEY_MUTATIONS, keyResolvers } from './auth/key-resolvers.ts'
import { liveSessions } from './auth/live-sessions.ts'
import { signInConnectOrigins, signInRoutes } from './auth/oidc-sign-in.ts'
import { uploadOwner, uploadResolvers } from './graphql/uploads.ts'
import { corsOrigins, type GatewayConfig } from './config.ts'
import type { GatewayDeps } from './deps.ts'
import { documentLimitsHook, type DocumentLimits } from './graphql/document-limits.ts'
import { formatErrors } from './graphql/errors.ts'
import { noIntrospectionRule } from './graphql/introspection.ts'
import { queryLimitsRule } from './graphql/limits.ts'
import { tokenLimitHook } from './graphql/token-limit.ts'
import { exceptionResolvers } from './graphql/exceptions.ts'
import { runExceptionResolvers } from './graphql/run-exceptions.ts'
import { loaders } from './graphql/loaders.ts'
import { mutationResolvers } from './graphql/mutations.ts'
import { queryResolvers } from './graphql/queries.ts'
import { buildSchema } from './graphql/schema.ts'
import { sharedReads } from './graphql/shared-reads.ts'
import { subscriptionResolvers, validateSubscription } from './graphql/subscriptions.ts'
import { createResultFiles } from './results/result-files.ts'
import { consoleRoutes } from './routes/console.ts'
import { downloadRoutes } from './routes/downloads.ts'
import { routeNotFound } from './routes/not-found.ts'
import { graphqlBodyLimit, securityHeaders, corsPolicy } from './security/headers.ts'
import { originCheck } from './security/origins.ts'
import { rateLimits } from './security/rate-limits.ts'
import { runFeeds } from './subscriptions/run-feeds.ts'

export interface GatewayPluginOptions {
  bus: Bus
  storage: Storage
  /** Holds the API keys (GATEWAY_DB_SCHEMA) and the audit trail (GATEWAY_AUDIT_DB_SCHEMA), migrated by whoever opened it. */
  database: Database
  config: GatewayConfig
}

/**
 * Kalla's public HTTP surface, mounted by the scaled gateway process and by single mode alike:
 * GraphQL at /graphql (subscriptions over websocket, graphql-transport-ws), the web console at / and GraphiQL at /graphiql (bundled, offline),
 * POST /uploads and GET /runs/:runId/results/:kind. Every call to a service goes over `bus`.
 * Every request is authenticated by API key or OIDC token and checked against proto's access table; every
 * mutation, upload and download is in the audit trail before its answer leaves.
 */
export async function gatewayPlugin (app: FastifyInstance, options: GatewayPluginOptions): Promise<void> {
  const { bus, storage, database, config } = options
  const keysDb = database.db.withSchema(config.GATEWAY_DB_SCHEMA) as AuthDb
  const adminKey = await readAdminKey(config)
  const jwt = jwtVerifierFrom(config, (reason) => { app.log.info({ reason }, 'a bearer token was refused') })
  const verifier = createKeyVerifier({ db: keysDb, adminKeys: adminKey === undefined ? [] : [adminKey], jwt, cacheTtlMs: config.GATEWAY_KEY_CACHE_TTL_S * 1000, onError: (err) => { app.log.warn({ err }, 'recording when a key was last used failed') } })
  const sessions = liveSessions({ verifier, recheckMs: config.GATEWAY_WS_RECHECK_MS, expiryGraceMs: config.KALLA_JWT_CLOCK_TOLERANCE_S * 1000, log: app.log })
  app.addHook('onClose', async () => { sessions.close() })
  const auth = gatewayAuth(verifier, sessions)
  app.addHook('onRoute', auth.checkRoute)
  // Before anyone is identified: security headers, CORS preflights, the per-address limit, foreign origins.
  await securityHeaders(app, { consoleConnect: signInConnectOrigins(config) })
  await corsPolicy(app, corsOrigins(config))
  const rates = await rateLimits(app, { windowS: config.GATEWAY_RATE_LIMIT_WINDOW_S, perKey: config.GATEWAY_RATE_LIMIT_MAX, perAddress: config.GATEWAY_RATE_LIMIT_ADDRESS_MAX })
  app.addHook('onRequest', rates.beforeAuth)
  app.addHook('onRequest', originCheck(corsOrigins(config)))
  app.addHook('onRequest', auth.onRequest)
  app.addHook('onRequest', rates.afterAuth)
  app.addHook('onRoute', graphqlBodyLimit(config.GATEWAY_BODY_MAX_BYTES))
  const audit = createAuditRecorder({ db: database.db, schema: config.GATEWAY_AUDIT_DB_SCHEMA, log: app.log })
  app.addHook('onSend', auditRoutes(audit))
  const keys = keyResolvers({ db: database.db, schema: config.GATEWAY_DB_SCHEMA, verifier, audit, endSessions: sessions.endKey })
  const workDir = config.GATEWAY_WORK_DIR ?? tmpdir()
  const files = createResultFiles({
    storage,
    ...(storage.kind === 'local' ? { localRoot: config.STORAGE_DIR } : {}),
    dir: join(workDir, `kalla-gateway-results-${randomUUID().slice(0, 8)}`),
    maxBytes: config.GATEWAY_RESULTS_CACHE_BYTES,
    ttlMs: config.GATEWAY_RESULTS_CACHE_TTL_S * 1000,
    log: app.log
  })
  app.addHook('onClose', async () => { await files.close() })
  const deps: GatewayDeps = { bus, storage, log: app.log, files, workDir, requestTimeoutMs: config.GATEWAY_REQUEST_TIMEOUT_MS, feeds: runFeeds(bus), reads: sharedReads() }

  const limits = queryLimitsRule({ maxDepth: config.GATEWAY_MAX_DEPTH, maxCost: config.GATEWAY_MAX_COST, mutationCost: config.GATEWAY_MUTATION_COST })
  const rules = config.GATEWAY_INTROSPECTION === true ? [limits] : [limits, noIntrospectionRule]
  const documentLimits: DocumentLimits = { maxRootFields: config.GATEWAY_MAX_ROOT_FIELDS, maxAliases: config.GATEWAY_MAX_ALIASES, maxOperations: config.GATEWAY_MAX_OPERATIONS, maxFragmentDepth: config.GATEWAY_MAX_DEPTH }
  const exceptions = exceptionResolvers(deps)
  await app.register(mercurius, {
    schema: buildSchema(),
    resolvers: {
      Query: { ...queryResolvers(deps), ...uploadResolvers(deps), ...keys.Query, ...auditResolvers({ db: database.db, schema: config.GATEWAY_AUDIT_DB_SCHEMA }), ...exceptions.Query },
      Mutation: auditedMutations({ ...mutationResolvers(deps), ...keys.Mutation, ...exceptions.Mutation }, audit, KEY_MUTATIONS),
      Subscription: subscriptionResolvers(deps),
      Run: runExceptionResolvers(deps)
    },
    loaders: loaders(deps),
    context: auth.context,
    subscription: { context: auth.socketContext, onConnect: auth.onConnect },
    jit: config.GATEWAY_JIT,
    // GraphiQL is the console's bundled page (routes/console.ts), not mercurius' CDN-loaded one.
    graphiql: false,
    allowBatchedQueries: false,
    graphql: { parseOptions: { maxTokens: config.GATEWAY_MAX_TOKENS } },
    validationRules: rules,
    errorFormatter: formatErrors
  })
  app.graphql.addHook('preValidation', documentLimitsHook(documentLimits))
  app.graphql.addHook('preExecution', auditRefusedMutations(audit))
  app.graphql.addHook('preExecution', auth.authorize)
  app.graphql.addHook('preSubscriptionParsing', tokenLimitHook(config.GATEWAY_MAX_TOKENS))
  app.graphql.addHook('preSubscriptionExecution', auth.requireIdentity)
  app.graphql.addHook('preSubscriptionExecution', documentLimitsHook(documentLimits))
  app.graphql.addHook('preSubscriptionExecution', validateSubscription(rules))
  app.graphql.addHook('preSubscriptionExecution', auth.authorize)
  app.graphql.addHook('preSubscriptionExecution', auth.trackSubscription)
  app.graphql.addHook('onSubscriptionEnd', auth.untrackSubscription)

  const record = async (file: RequestOf<typeof CreateUpload>) => await bus.request(CreateUpload, file, { timeoutMs: config.GATEWAY_REQUEST_TIMEOUT_MS })
  await app.register(uploadRoutes, { deps: { storage, maxBytes: config.GATEWAY_UPLOAD_MAX_BYTES, record }, owner: (request) => request.identity === undefined ? undefined : uploadOwner(request.identity) })
  await app.register(downloadRoutes, { deps, xlsxRowsPerSheet: config.GATEWAY_XLSX_ROWS_PER_SHEET })
  await app.register(signInRoutes, { config })
  await app.register(consoleRoutes, { graphiql: config.GATEWAY_GRAPHIQL === true })
  app.setNotFoundHandler(routeNotFound)
}
