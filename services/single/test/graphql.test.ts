import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import type { MemoryBus } from '@kalla/bus'
import { KALLA_RUNS } from '@kalla/proto'
import { authHeaders, TEST_ADMIN_KEY, graphqlFlow, waitFor, watch, wsClient } from '@kalla/testing'
import { startSingle } from './harness.ts'

const { url, data, sourceUrl, infrastructure } = await startSingle(t, 2000)

t.test('single mode serves the whole flow over GraphQL, uploads and downloads on one port', async (t) => {
  await graphqlFlow(t, url, data, sourceUrl)
})

t.test('a client that disconnects ends its subscription on the in-process bus at once', async (t) => {
  const bus = infrastructure.bus as MemoryBus
  const { runs } = (await (await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeaders() }, body: JSON.stringify({ query: '{ runs(limit: 1) { runId } }' }) })).json() as { data: { runs: Array<{ runId: string }> } }).data
  await waitFor(() => bus.liveSubscriptions(KALLA_RUNS.name) === 0 ? true : undefined, 5000, 'no live subscription')
  const client = wsClient(url)
  watch(client, 'runUpdated', 'subscription { runUpdated { runId } }')
  await waitFor(() => bus.liveSubscriptions(KALLA_RUNS.name) === 1 ? true : undefined, 5000, 'the live subscription')
  const finished = watch(client, 'runProgress', 'subscription ($id: ID!) { runProgress(runId: $id) { status } }', { id: runs[0]?.runId })
  t.same(await finished.ended, {}, 'a finished run completes at once')
  await client.dispose()
  await waitFor(() => bus.liveSubscriptions(KALLA_RUNS.name) === 0 ? true : undefined, 1000, 'the subscription to end')
})

t.test('the example client runs a reconciliation and prints its progress', async (t) => {
  const root = fileURLToPath(new URL('../../..', import.meta.url))
  const args = ['examples/graphql-client.mjs', '--url', url, '--invoices', join(data.dir, 'invoices.csv'), '--payments', data.paymentsCsv]
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: root, env: { ...process.env, KALLA_KEY: TEST_ADMIN_KEY } })
  t.match(stdout, /STAGING/, 'progress was printed')
  t.match(stdout, new RegExp(`COMPLETED\\n  matched +${data.truth.matched_count}\\n`), 'the matched count is the ground truth')
  t.match(stdout, new RegExp(`unmatched right +${data.truth.unmatched_right_count} of ${data.truth.total_right}`))
})
