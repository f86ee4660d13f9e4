import { GetRun, RunEvents, type RunEvent } from '@kalla/proto'
import { ask, type GatewayDeps } from '../deps.ts'
import { applyEvent, isTerminalEvent, toRun, type GqlRun } from '../graphql/mapping.ts'
import { createChannel, type Channel } from './channel.ts'

/** Runs whose stage this subscriber remembers; the oldest are forgotten past this many. */
const REMEMBERED_RUNS = 10_000

/**
 * Every run, each time its status changes: on a new stage and when it ends, not on every progress tick.
 * The run is read from the runs service and the event applied on top, since the service may not have
 * recorded the event yet. Events are handled one at a time, so a subscriber sees each run's changes in order.
 */
export async function followRunUpdates (deps: GatewayDeps): Promise<Channel<GqlRun>> {
  const channel = createChannel<GqlRun>(deps.log)
  const stages = new Map<string, string>()
  const subscription = await deps.bus.subscribe(RunEvents, { deliver: 'new' }, async (event) => {
    if (!channel.open || !changesStatus(stages, event)) return
    try {
      const run = await ask(deps, GetRun, { run_id: event.run_id })
      channel.push(toRun(applyEvent(run, event)))
    } catch (error) {
      deps.log.warn({ err: error, run_id: event.run_id }, 'could not read an updated run')
    }
  })
  channel.onClose(() => subscription.unsubscribe())
  return channel
}

function changesStatus (stages: Map<string, string>, event: RunEvent): boolean {
  if (isTerminalEvent(event)) {
    stages.delete(event.run_id)
    return true
  }
  if (event.type !== 'progress' || stages.get(event.run_id) === event.stage) return false
  stages.delete(event.run_id)
  stages.set(event.run_id, event.stage)
  if (stages.size > REMEMBERED_RUNS) stages.delete(stages.keys().next().value ?? '')
  return true
}
