import { tmpdir } from 'node:os'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Bus } from '@kalla/bus'
import { MATCHER_CONSUMER, MatchJobs } from '@kalla/proto'
import { busPlugin, createLogger, lazySchemaController, healthRoutes, metricsRoute, parseKey, sourceAccess, storagePlugin } from '@kalla/service'
import { storageConfigFromEnv, type Storage } from '@kalla/storage'
import { engineLimits, type MatcherConfig } from './config.ts'
import type { MatcherDeps } from './domain/deps.ts'
import { createMatcherMetrics } from './domain/metrics.ts'
import { watchQueueLag } from './domain/queue-lag.ts'
import { workDirs } from './domain/work-dirs.ts'
import { consumeMatchJobs } from './handlers/match-jobs.ts'
import { sweepWorkDirs } from './handlers/work-dir-sweeps.ts'

/** Infrastructure shared in single mode; scaled mode opens its own from the config. */
export interface SharedInfrastructure { bus?: Bus, storage?: Storage }

/** The matcher: bus and storage, metrics, a sweep of abandoned work directories, the job consumer, then health. It has no database. */
export async function buildMatcherApp (config: MatcherConfig, shared: SharedInfrastructure = {}): Promise<FastifyInstance> {
  const logger: FastifyBaseLogger = createLogger({ name: 'matcher', level: config.LOG_LEVEL })
  const app = Fastify({ loggerInstance: logger, schemaController: lazySchemaController })
  await app.register(busPlugin, { bus: shared.bus, config, identity: 'matcher' })
  await app.register(storagePlugin, { storage: shared.storage, config: storageConfigFromEnv(config) })
  await app.register(metricsRoute, { service: 'matcher', token: config.METRICS_TOKEN })

  const deps: MatcherDeps = {
    bus: app.bus,
    storage: app.storage,
    access: sourceAccess(parseKey('KALLA_RESOLVE_KEY', config.KALLA_RESOLVE_KEY)),
    engine: engineLimits(config),
    workDirs: workDirs(config.KALLA_WORK_DIR ?? tmpdir()),
    progressIntervalMs: config.MATCHER_PROGRESS_INTERVAL_MS,
    consumer: { ...MATCHER_CONSUMER, ackWaitMs: config.MATCHER_ACK_WAIT_S * 1000 },
    log: app.log,
    metrics: createMatcherMetrics(app.metrics)
  }
  const stopSweeps = await sweepWorkDirs(deps.workDirs, config.MATCHER_SWEEP_INTERVAL_S * 1000, app.log)
  const matching = await consumeMatchJobs(app.bus, deps, { concurrency: config.MATCHER_CONCURRENCY, ackWaitMs: config.MATCHER_ACK_WAIT_S * 1000, graceMs: config.MATCHER_SHUTDOWN_GRACE_S * 1000 })
  const stopLagWatch = watchQueueLag(app.bus, deps.metrics, config.MATCHER_LAG_INTERVAL_S * 1000, app.log)
  app.addHook('onClose', async () => {
    stopLagWatch()
    await matching.stop()
    stopSweeps()
  })

  await app.register(healthRoutes, {
    checks: {
      bus: async () => { await app.bus.queueLag(MatchJobs, MATCHER_CONSUMER.durable) },
      storage: async () => { await app.storage.ping() }
    }
  })
  return app
}
