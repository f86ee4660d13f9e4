import type { Bus } from '@kalla/bus'
import { isLaterRun, RunUpdates, type Run } from '@kalla/proto'
import { toRun, type GqlRun } from '../graphql/mapping.ts'
import { sharedFeeds, type SharedFeeds } from './shared-feeds.ts'

/** The gateway's live views of runs, each a shared feed of the states the runs service publishes. */
export interface RunFeeds {
  /** One feed per followed run, keyed by run id: every state of that run. */
  progress: SharedFeeds<Run>
  /** One feed for all runs (key ALL_RUNS): a run each time its status changes. */
  updates: SharedFeeds<GqlRun>
}

export const ALL_RUNS = 'all'

/** Runs whose status the updates feed remembers; the least recently changed are forgotten past this many. */
const REMEMBERED_RUNS = 10_000

export function runFeeds (bus: Bus): RunFeeds {
  return {
    progress: sharedFeeds<Run>(async (runId, deliver) => await bus.subscribe(RunUpdates, { subjectSuffix: runId, deliver: 'new' }, deliver)),
    updates: sharedFeeds<GqlRun>(async (_key, deliver) => {
      const changed = statusChanges()
      return await bus.subscribe(RunUpdates, { deliver: 'new' }, (run) => { if (changed(run)) deliver(toRun(run)) })
    })
  }
}

// True for a run's first state heard here and for each later state with another status; progress ticks
// and states older than one already heard are not news.
function statusChanges (): (run: Run) => boolean {
  const seen = new Map<string, Pick<Run, 'status' | 'updated_at'>>()
  return (run) => {
    const previous = seen.get(run.run_id)
    if (previous !== undefined && !isLaterRun(run, previous)) return false
    seen.delete(run.run_id)
    seen.set(run.run_id, { status: run.status, updated_at: run.updated_at })
    if (seen.size > REMEMBERED_RUNS) seen.delete(seen.keys().next().value ?? '')
    return previous?.status !== run.status
  }
}
