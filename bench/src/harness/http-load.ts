import autocannon from 'autocannon'
import { authHeaders } from '@kalla/testing'

/** Latency and throughput of one GraphQL query under concurrent load, as autocannon measures them. */
export interface LoadResult { p50: number, p99: number, max: number, requestsPerSec: number, requests: number, errors: number, non2xx: number }

/** Sends `query` as POST /graphql, with the test admin key, from `connections` concurrent clients for `seconds` (or `amount` requests). */
export async function loadGraphql (url: string, query: string, variables: Record<string, unknown>, options: { connections: number, seconds?: number, amount?: number }): Promise<LoadResult> {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeaders() },
    body: JSON.stringify({ query, variables }),
    connections: options.connections,
    ...(options.amount === undefined ? { duration: options.seconds ?? 10 } : { amount: options.amount }),
    timeout: 10
  })
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    requestsPerSec: result.requests.average,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx
  }
}
