import type { FastifyBaseLogger } from 'fastify'
import type { Bus } from '@kalla/bus'
import type { EngineOptions } from '@kalla/engine'
import type { ConsumerDefinition } from '@kalla/proto'
import type { SourceAccess } from '@kalla/service'
import type { Storage } from '@kalla/storage'
import type { MatcherMetrics } from './metrics.ts'
import type { WorkDirs } from './work-dirs.ts'

/** What processing a job needs; the handler passes it in, tests build it directly. */
export interface MatcherDeps {
  bus: Bus
  storage: Storage
  /** Resolves registered sources just before the engine connects (KALLA_RESOLVE_KEY). */
  access: SourceAccess
  /** Memory, threads, time, spill and output limits for each run; the work directory is the job's own. */
  engine: Pick<EngineOptions, 'memoryLimit' | 'threads' | 'timeoutMs' | 'maxTempDirectorySize' | 'maxMatchedRows' | 'maxOutputBytes'>
  /** Each job's own directory, removed when the job ends; abandoned ones are swept. */
  workDirs: WorkDirs
  progressIntervalMs: number
  /** The consumer's ack wait and retry delays. */
  consumer: Pick<ConsumerDefinition, 'ackWaitMs' | 'backoffMs'>
  log: FastifyBaseLogger
  metrics: MatcherMetrics
}
