import type { FastifyBaseLogger } from 'fastify'
import type { Bus, RequestOptions } from '@kalla/bus'
import type { Endpoint, RequestOf, ResponseOf } from '@kalla/proto'
import type { Storage } from '@kalla/storage'
import type { ResultFiles } from './results/result-files.ts'
import type { SharedReads } from './graphql/shared-reads.ts'
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
  /** Reads that concurrent resolvers asking for the same thing share (see sharedReads). */
  reads: SharedReads
}

/** A request to a service with the gateway's timeout. */
export async function ask<E extends Endpoint> (deps: Pick<GatewayDeps, 'bus' | 'requestTimeoutMs'>, endpoint: E, payload: RequestOf<E>, options: RequestOptions = {}): Promise<ResponseOf<E>> {
  return await deps.bus.request(endpoint, payload, { timeoutMs: deps.requestTimeoutMs, ...options })
}

/**
 * A read over the bus shared with every resolver asking `view` for the same payload in this turn: one
 * request, one `map` of its answer. A failure reaches each of them.
 * @example await askShared(deps, 'run', GetRun, { run_id: runId }, toRun)
 */
export async function askShared<E extends Endpoint, T> (
  deps: Pick<GatewayDeps, 'bus' | 'requestTimeoutMs' | 'reads'>, view: string, endpoint: E, payload: RequestOf<E>, map: (response: ResponseOf<E>) => T
): Promise<T> {
  return await deps.reads.share(`${view} ${endpoint.subject} ${JSON.stringify(payload)}`, async () => map(await ask(deps, endpoint, payload)))
}
