import { setTimeout as sleep } from 'node:timers/promises'
import { GetRun, RunEvents, SUBJECT_SUFFIX_PATTERN, TERMINAL_STATUSES, type Run, type RunEvent } from '@kalla/proto'
import { ask, type GatewayDeps } from '../deps.ts'
import { eventAsProgress, isTerminalEvent, runAsProgress, type GqlRunProgress } from '../graphql/mapping.ts'
import { createChannel, type Channel } from './channel.ts'

const SUFFIX = new RegExp(SUBJECT_SUFFIX_PATTERN)

/**
 * One run's progress: its recorded state first, then every event live, ending after the terminal one.
 * The live subscription starts before the state is read, so no event can fall between the two; events
 * that arrive meanwhile are held, and progress older than the recorded state is dropped. Since the runs
 * service records events a moment after they are published, a run that heard nothing for `recheckMs` is
 * read again, so a final event that came just before the subscription cannot leave it open forever.
 * The subscription completes only once the runs service has recorded the end too, so a client that
 * reads the run (or its results) when the subscription completes finds it finished.
 */
export async function followRunProgress (deps: GatewayDeps, runId: string): Promise<Channel<GqlRunProgress>> {
  const channel = createChannel<GqlRunProgress>(deps.log)
  const follower = progressFollower(deps, runId, channel)
  // An id that cannot be a subject suffix cannot be a run either: GetRun below reports it unknown.
  if (SUFFIX.test(runId)) {
    const subscription = await deps.bus.subscribe(RunEvents, { subjectSuffix: runId, deliver: 'new' }, follower.deliver)
    channel.onClose(() => subscription.unsubscribe())
  }
  let run: Run
  try {
    run = await ask(deps, GetRun, { run_id: runId })
  } catch (error) {
    await channel.return()
    throw error
  }
  channel.push(runAsProgress(run))
  if (TERMINAL_STATUSES.has(run.status)) {
    channel.end()
    return channel
  }
  follower.goLive(run)
  recheckWhileQuiet(deps, runId, channel, follower.state)
  return channel
}

interface FollowState { live: boolean, ending: boolean, heardAt: number }

/** Turns the run's events into progress steps: held until the recorded state is sent, then live. */
function progressFollower (deps: GatewayDeps, runId: string, channel: Channel<GqlRunProgress>) {
  const held: RunEvent[] = []
  const state: FollowState = { live: false, ending: false, heardAt: Date.now() }
  const deliver = (event: RunEvent): void => {
    state.heardAt = Date.now()
    if (!state.live) { held.push(event); return }
    if (state.ending) return
    const step = eventAsProgress(event)
    if (!isTerminalEvent(event)) {
      if (step !== undefined) channel.push(step)
      return
    }
    state.ending = true
    const finish = (): void => {
      if (step !== undefined) channel.push(step)
      channel.end()
    }
    whenRecorded(deps, runId, () => channel.open).then(finish, finish)
  }
  const goLive = (run: Run): void => {
    state.live = true
    for (const event of held.splice(0)) {
      if (event.type !== 'progress' || event.at >= run.updated_at) deliver(event)
    }
  }
  return { state, deliver, goLive }
}

const RECORD_POLL_MS = 100
const RECORD_WAIT_MS = 10_000

// The runs service records an event a moment after it is published. Never rejects: past RECORD_WAIT_MS,
// or when the run cannot be read, the subscription ends on the event alone.
async function whenRecorded (deps: GatewayDeps, runId: string, wanted: () => boolean): Promise<void> {
  const end = Date.now() + RECORD_WAIT_MS
  try {
    while (Date.now() < end && wanted()) {
      const run = await ask(deps, GetRun, { run_id: runId })
      if (TERMINAL_STATUSES.has(run.status)) return
      await sleep(RECORD_POLL_MS)
    }
    if (wanted()) deps.log.warn({ run_id: runId }, 'the runs service has not recorded the end of a run yet')
  } catch (error) {
    deps.log.warn({ err: error, run_id: runId }, 'could not read a run that ended')
  }
}

function recheckWhileQuiet (deps: GatewayDeps, runId: string, channel: Channel<GqlRunProgress>, state: FollowState): void {
  const timer = setInterval(() => {
    if (state.ending || Date.now() - state.heardAt < deps.recheckMs) return
    state.heardAt = Date.now()
    ask(deps, GetRun, { run_id: runId }).then((run) => {
      if (!TERMINAL_STATUSES.has(run.status) || !channel.open) return
      channel.push(runAsProgress(run))
      channel.end()
    }, (error: unknown) => { deps.log.warn({ err: error, run_id: runId }, 'could not re-read a followed run') })
  }, Math.max(100, Math.floor(deps.recheckMs / 2)))
  timer.unref()
  channel.onClose(() => { clearInterval(timer) })
}
