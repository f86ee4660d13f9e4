import t from 'tap'
import { errorCode, watch, wsClient } from '@kalla/testing'
import { serveGetRun, startGateway } from '../harness.ts'

// Subscribing to a run that does not exist is the client's mistake: answered with its code, logged at info, not as an error.
const { bus, url, logs } = await startGateway(t, {}, { logLevel: 'info' })
await serveGetRun(bus, new Map())

const PROGRESS = 'subscription ($id: ID!) { runProgress(runId: $id) { runId status } }'

t.test('an unknown run is answered RUNS_RUN_NOT_FOUND and logged at info, never at warn or error', async (t) => {
  const client = wsClient(url)
  t.teardown(() => client.dispose())
  const before = logs.length
  const progress = watch(client, 'runProgress', PROGRESS, { id: 'run-unknown' })
  t.equal(errorCode((await progress.ended).error), 'RUNS_RUN_NOT_FOUND')
  const written = logs.slice(before).map((line) => JSON.parse(line) as { level: number, msg?: string, err?: { code?: string } })
  t.same(written.filter((l) => l.level >= 40).map((l) => l.msg), [], 'nothing at warn or error')
  t.ok(written.some((l) => l.level === 30 && l.msg === 'subscription refused' && JSON.stringify(l).includes('RUNS_RUN_NOT_FOUND')), 'the refusal is logged at info with its code')
})
