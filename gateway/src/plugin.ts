import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import mercurius from 'mercurius'
import type { Bus } from '@kalla/bus'
import { CreateUpload, type RequestOf } from '@kalla/proto'
import type { Storage } from '@kalla/storage'
import { uploadRoutes } from '@kalla/uploads'
import type { GatewayConfig } from './config.ts'
import type { GatewayDeps } from './deps.ts'
import { formatErrors } from './graphql/errors.ts'
import { queryLimitsRule } from './graphql/limits.ts'
import { loaders } from './graphql/loaders.ts'
import { mutationResolvers } from './graphql/mutations.ts'
import { queryResolvers } from './graphql/queries.ts'
import { buildSchema } from './graphql/schema.ts'
import { sharedReads } from './graphql/shared-reads.ts'
import { subscriptionResolvers, validateSubscription } from './graphql/subscriptions.ts'
import { createResultFiles } from './results/result-files.ts'
import { downloadRoutes } from './routes/downloads.ts'
import { runFeeds } from './subscriptions/run-feeds.ts'

export interface GatewayPluginOptions { bus: Bus, storage: Storage, config: GatewayConfig }

/**
 * Kalla's public HTTP surface, mounted by the scaled gateway process and by single mode alike:
 * GraphQL at /graphql (subscriptions over websocket, graphql-transport-ws), GraphiQL at /graphiql,
 * POST /uploads and GET /runs/:runId/results/:kind. Every call to a service goes over `bus`.
 */
export async function gatewayPlugin (app: FastifyInstance, options: GatewayPluginOptions): Promise<void> {
  const { bus, storage, config } = options
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

  const limits = queryLimitsRule({ maxDepth: config.GATEWAY_MAX_DEPTH, maxCost: config.GATEWAY_MAX_COST })
  await app.register(mercurius, {
    schema: buildSchema(),
    resolvers: { Query: queryResolvers(deps), Mutation: mutationResolvers(deps), Subscription: subscriptionResolvers(deps) },
    loaders: loaders(deps),
    subscription: true,
    jit: config.GATEWAY_JIT,
    graphiql: config.GATEWAY_GRAPHIQL,
    validationRules: [limits],
    errorFormatter: formatErrors
  })
  app.graphql.addHook('preSubscriptionExecution', validateSubscription([limits]))

  const record = async (file: RequestOf<typeof CreateUpload>) => await bus.request(CreateUpload, file, { timeoutMs: config.GATEWAY_REQUEST_TIMEOUT_MS })
  await app.register(uploadRoutes, { deps: { storage, maxBytes: config.GATEWAY_UPLOAD_MAX_BYTES, record } })
  await app.register(downloadRoutes, { deps, xlsxRowsPerSheet: config.GATEWAY_XLSX_ROWS_PER_SHEET })
}
