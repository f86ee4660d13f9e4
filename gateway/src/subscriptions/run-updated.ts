import type { GatewayDeps } from '../deps.ts'
import type { GqlRun } from '../graphql/mapping.ts'
import { liveIterator } from './live-iterator.ts'
import { ALL_RUNS } from './run-feeds.ts'
import { failWith } from './run-progress.ts'

// A client that cannot keep up loses the oldest updates rather than holding the gateway's memory.
const BUFFERED_UPDATES = 10_000

/**
 * Every run, each time its status changes (a new run, a new stage, its end), not on every progress tick:
 * the states the runs service publishes, through the one feed all runUpdated clients of this process share.
 */
export function followRunUpdates (deps: GatewayDeps): AsyncIterableIterator<GqlRun> {
  return liveIterator<GqlRun>(BUFFERED_UPDATES, async (feed) => {
    feed.finally(await deps.feeds.updates.join(ALL_RUNS, feed.push).catch(failWith(deps)))
  })
}
