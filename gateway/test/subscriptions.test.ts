import t from 'tap'
import { GetRecipe, KALLA_RUNS, RunUpdates, type Run } from '@kalla/proto'
import { completed, completedState, progressState, run, storedRecipe } from './fixtures.ts'
import { errorCode, waitFor, watch, wsClient } from '@kalla/testing'
import { serveGetRun, startGateway } from './harness.ts'

// The gateway's subscriptions on the in-process bus; the test stands in for the runs service: it answers
// GetRun from `runs` and publishes run states the way the runs service does after recording them.
const { bus, url } = await startGateway(t)

const runs = new Map<string, Run>()
// Called while a GetRun is being answered, before the answer leaves: lets a test publish in that gap.
const duringGetRun = new Map<string, () => Promise<void>>()
await serveGetRun(bus, runs, async (runId) => { await duringGetRun.get(runId)?.() })
await bus.serve(GetRecipe, ({ recipe_id: recipeId }) => storedRecipe(recipeId), { queue: 'recipes' })

const live = (): number => bus.liveSubscriptions(KALLA_RUNS.name)
/** Records the state, then publishes it: the order the runs service keeps. */
const record = async (state: Run): Promise<void> => {
  runs.set(state.run_id, state)
  await bus.publish(RunUpdates, state, { subjectSuffix: state.run_id, msgId: `${state.run_id}@${state.updated_at}` })
}
const PROGRESS = 'subscription ($id: ID!) { runProgress(runId: $id) { runId status stage progress matchedCount at } }'
type Step = { status: string, progress: number | null, at: string }

t.test('runProgress sends the current state, then each later state, and completes after the end', async (t) => {
  runs.set('run-live', progressState('run-live', 'staging', 0.1, 1))
  const client = wsClient(url)
  t.teardown(() => client.dispose())
  const before = live()
  const progress = watch<Step>(client, 'runProgress', PROGRESS, { id: 'run-live' })
  await waitFor(() => progress.values.length === 1 ? true : undefined, 5000, 'the current state')
  t.equal(live(), before + 1, 'one subscription on the run\'s states')
  await record(progressState('run-live', 'staging', 0.5, 2))
  await bus.publish(RunUpdates, progressState('run-live', 'staging', 0.3, 1.5), { subjectSuffix: 'run-live' })
  await record(progressState('run-live', 'matching', 0, 3))
  await record(progressState('run-live', 'writing_results', 0.5, 4))
  await record(completedState('run-live', 5))
  t.same(await progress.ended, {})
  t.same(progress.values.map((v) => [v.status, v.progress]), [['STAGING', 0.1], ['STAGING', 0.5], ['MATCHING', 0], ['WRITING_RESULTS', 0.5], ['COMPLETED', 1]], 'an older state heard late is dropped')
  await waitFor(() => live() === before ? true : undefined, 2000, 'the subscription to end')
})

t.test('subscribing to a finished run sends its final state and completes', async (t) => {
  runs.set('run-done', completed('run-done', 'r1'))
  const client = wsClient(url)
  t.teardown(() => client.dispose())
  const progress = watch<{ status: string, matchedCount: number }>(client, 'runProgress', PROGRESS, { id: 'run-done' })
  t.same(await progress.ended, {})
  t.same(progress.values.map((v) => [v.status, v.matchedCount]), [['COMPLETED', 3]])
  await waitFor(() => live() === 0 ? true : undefined, 1000, 'no subscription left')
})

t.test('subscribing to an unknown run is an error with its code, and leaves nothing behind', async (t) => {
  const client = wsClient(url)
  t.teardown(() => client.dispose())
  for (const id of ['run-unknown', 'not a run id']) {
    const progress = watch(client, 'runProgress', PROGRESS, { id })
    t.equal(errorCode((await progress.ended).error), 'RUNS_RUN_NOT_FOUND', id)
  }
  await waitFor(() => live() === 0 ? true : undefined, 1000, 'no subscription left')
})

t.test('a client that leaves before its subscription could start leaves nothing behind and breaks nothing', async (t) => {
  const before = live()
  let answering = false
  duringGetRun.set('run-gone', async () => { answering = true; await new Promise((resolve) => setTimeout(resolve, 300)) })
  const client = wsClient(url)
  watch(client, 'runProgress', PROGRESS, { id: 'run-gone' })
  await waitFor(() => answering ? true : undefined, 5000, 'the GetRun to be asked')
  await client.dispose()
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.equal(live(), before, 'the subscription ended once the failed read came back')
  duringGetRun.delete('run-gone')
})

t.test('a state published while the current one is being read is not lost', async (t) => {
  runs.set('run-race', progressState('run-race', 'matching', 0.9, 3))
  // The run ends after the subscription started and before its GetRun answers with the older state.
  duringGetRun.set('run-race', async () => { duringGetRun.delete('run-race'); await bus.publish(RunUpdates, completedState('run-race', 6), { subjectSuffix: 'run-race' }) })
  const client = wsClient(url)
  t.teardown(() => client.dispose())
  const progress = watch<Step>(client, 'runProgress', PROGRESS, { id: 'run-race' })
  t.same(await progress.ended, {})
  t.same(progress.values.map((v) => v.status), ['MATCHING', 'COMPLETED'])
})

t.test('a client that disconnects or unsubscribes ends its run\'s subscription at once', async (t) => {
  runs.set('run-idle-1', run('run-idle-1', 'r1', 'submitted'))
  runs.set('run-idle-2', run('run-idle-2', 'r1', 'submitted'))
  const before = live()
  const leaving = wsClient(url)
  const left = watch<Step>(leaving, 'runProgress', PROGRESS, { id: 'run-idle-1' })
  const staying = wsClient(url)
  t.teardown(() => staying.dispose())
  const unsubscribing = watch<Step>(staying, 'runProgress', PROGRESS, { id: 'run-idle-2' })
  await waitFor(() => left.values.length + unsubscribing.values.length === 2 ? true : undefined, 5000, 'both current states')
  t.equal(live(), before + 2, 'one subscription per run')
  const disconnectedAt = Date.now()
  await leaving.dispose()
  await waitFor(() => live() === before + 1 ? true : undefined, 1000, 'the disconnected client\'s subscription to end')
  t.ok(Date.now() - disconnectedAt < 1000, `ended ${Date.now() - disconnectedAt} ms after the disconnect`)
  unsubscribing.unsubscribe()
  await waitFor(() => live() === before ? true : undefined, 1000, 'the unsubscribed subscription to end')
})

t.test('200 clients following one run share one subscription, which ends when the last one leaves', async (t) => {
  runs.set('run-many', progressState('run-many', 'staging', 0, 1))
  const before = live()
  const clients = Array.from({ length: 200 }, () => wsClient(url))
  t.teardown(async () => { await Promise.all(clients.map((c) => c.dispose())) })
  const watched = clients.map((client) => watch<Step>(client, 'runProgress', PROGRESS, { id: 'run-many' }))
  await waitFor(() => watched.every((w) => w.values.length === 1) ? true : undefined, 20_000, 'every client\'s current state')
  t.equal(live(), before + 1, 'one server-side subscription for 200 clients')
  await record(progressState('run-many', 'matching', 0.5, 2))
  await waitFor(() => watched.every((w) => w.values.length === 2) ? true : undefined, 10_000, 'every client\'s second state')
  t.ok(watched.every((w) => w.values[1]?.status === 'MATCHING'), 'every client got the new state')
  await Promise.all(clients.slice(0, 199).map((c) => c.dispose()))
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(live(), before + 1, 'the subscription stays while one client follows the run')
  await clients[199]?.dispose()
  await waitFor(() => live() === before ? true : undefined, 2000, 'the subscription to end after the last client left')
})

t.test('runUpdated sends a run when it is new, on each new stage and at its end, not on every tick', async (t) => {
  const client = wsClient(url)
  t.teardown(() => client.dispose())
  const before = live()
  const query = 'subscription { runUpdated { runId status matchedCount recipe { recipeId } } }'
  const updates = watch<{ runId: string, status: string, recipe: { recipeId: string } }>(client, 'runUpdated', query)
  const second = watch<{ runId: string, status: string }>(client, 'runUpdated', query)
  await waitFor(() => live() === before + 1 ? true : undefined, 5000, 'the live subscription')
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(live(), before + 1, 'both runUpdated subscribers share one subscription')
  await record(run('run-upd', 'r2', 'submitted'))
  for (const [stage, second] of [['staging', 1], ['staging', 2], ['matching', 3], ['matching', 4]] as const) await record(progressState('run-upd', stage, 0.5, second, 'r2'))
  await bus.publish(RunUpdates, progressState('run-upd', 'staging', 0.5, 2.5, 'r2'), { subjectSuffix: 'run-upd' })
  await record(completedState('run-upd', 5, 'r2'))
  await waitFor(() => updates.values.length >= 4 && second.values.length >= 4 ? true : undefined, 5000, 'four updates')
  await new Promise((resolve) => setTimeout(resolve, 100))
  const expected = [['run-upd', 'SUBMITTED', 'r2'], ['run-upd', 'STAGING', 'r2'], ['run-upd', 'MATCHING', 'r2'], ['run-upd', 'COMPLETED', 'r2']]
  t.same(updates.values.map((u) => [u.runId, u.status, u.recipe.recipeId]), expected, 'an older state heard late is not news')
  t.same(second.values.map((u) => u.status), expected.map((e) => e[1]))
  updates.unsubscribe()
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(live(), before + 1, 'the other subscriber still holds it')
  second.unsubscribe()
  await waitFor(() => live() === before ? true : undefined, 1000, 'the subscription to end')
})
