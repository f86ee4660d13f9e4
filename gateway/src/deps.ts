import type { FastifyBaseLogger } from 'fastify'
import type { Bus, RequestOptions } from '@kalla/bus'
import type { Endpoint, RequestOf, ResponseOf } from '@kalla/proto'
import type { Storage } from '@kalla/storage'
import type { ResultFiles } from './results/result-files.ts'
import type { RunFeeds } from './subscriptions/run-feeds.ts'

/** What the gateway's resolvers and routes work with; built once by the gateway plugin. */
export interface GatewayDeps {
  bus: Bus
  storage: Storage
  log: FastifyBaseLogger
  files: ResultFiles
  /** Where CSV downloads are written before they are streamed. */
  workDir: string
  requestTimeoutMs: number
  /** The live views of runs this process shares among its subscribers. */
  feeds: RunFeeds
}

/** A request to a service with the gateway's timeout. */
export async function ask<E extends Endpoint> (deps: Pick<GatewayDeps, 'bus' | 'requestTimeoutMs'>, endpoint: E, payload: RequestOf<E>, options: RequestOptions = {}): Promise<ResponseOf<E>> {
  return await deps.bus.request(endpoint, payload, { timeoutMs: deps.requestTimeoutMs, ...options })
}
