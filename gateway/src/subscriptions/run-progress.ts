import { GetRun, isLaterRun, SUBJECT_SUFFIX_PATTERN, TERMINAL_STATUSES, type Run } from '@kalla/proto'
import { askShared, type GatewayDeps } from '../deps.ts'
import { publicError } from '../graphql/errors.ts'
import { runAsProgress, type GqlRunProgress } from '../graphql/mapping.ts'
import { liveIterator } from './live-iterator.ts'

const SUFFIX = new RegExp(SUBJECT_SUFFIX_PATTERN)

// States are whole snapshots: a client too slow to take them all loses only intermediate ones, never the last.
const BUFFERED_STATES = 256

/**
 * One run's progress: its recorded state first, then each later state the runs service publishes,
 * ending after a finished one. It joins the run's shared feed before reading the state, so no state can
 * fall between the two; states heard meanwhile are held, and any not later than what was sent is dropped.
 * The runs service publishes a state only once it has recorded it, so when this completes, `run` reads
 * the finished run. A client's return() leaves the feed at once (the last one out ends its subscription).
 */
export function followRunProgress (deps: GatewayDeps, runId: string): AsyncIterableIterator<GqlRunProgress> {
  return liveIterator<GqlRunProgress>(BUFFERED_STATES, async (feed) => {
    let sent: Run | undefined
    const held: Run[] = []
    const send = (run: Run): void => {
      if (!isLaterRun(run, sent)) return
      sent = run
      feed.push(progressOf(run))
      if (TERMINAL_STATUSES.has(run.status)) feed.end()
    }
    const hear = (run: Run): void => { if (sent === undefined) held.push(run); else send(run) }
    // An id that cannot be a subject suffix cannot be a run either: GetRun below reports it unknown.
    if (SUFFIX.test(runId)) feed.finally(await deps.feeds.progress.join(runId, hear).catch(failWith(deps)))
    send(await askShared(deps, 'state', GetRun, { run_id: runId }, (run) => run).catch(failWith(deps)))
    for (const run of held.splice(0)) send(run)
  })
}

// A feed hands the same state to each of its clients in turn: it is mapped once for all of them.
let lastRun: Run | undefined
let lastProgress: GqlRunProgress | undefined
function progressOf (run: Run): GqlRunProgress {
  if (run !== lastRun || lastProgress === undefined) {
    lastRun = run
    lastProgress = runAsProgress(run)
  }
  return lastProgress
}

/**
 * mercurius sends an error thrown by a subscription's iterator without its error formatter: shape it here.
 * A coded refusal (an unknown run) is the client's mistake, logged at info; anything else is logged as an error.
 */
export function failWith (deps: Pick<GatewayDeps, 'log'>) {
  return (error: unknown): never => {
    const shown = publicError(error, deps.log)
    const code = (shown.extensions as { code?: unknown } | undefined)?.code
    if (code !== 'INTERNAL') deps.log.info({ code }, 'subscription refused')
    throw shown
  }
}
