import t from 'tap'
import Type from 'typebox'
import { BusError, createNatsBus, isUnavailable, silentLogger } from '@kalla/bus'
import { defineEndpoint, defineTopic, KALLA_JOBS } from '@kalla/proto'
import { startNatsServer, waitFor } from '../src/index.ts'

// A private NATS server (killed and restarted through the helper's kill and restart): while it is down, calls are refused at once
// with BUS_UNAVAILABLE (not after their timeout), and the bus recovers by itself when it is back.
const server = await startNatsServer()
t.teardown(() => server.stop())
const echo = defineEndpoint({ subject: 'kalla.test.echo.v1', request: Type.Object({ text: Type.String() }), response: Type.Object({ text: Type.String(), by: Type.String() }) })
const streams = [{ ...KALLA_JOBS, name: 'TEST_JOBS', subjects: ['kalla.test.jobs.>'] }]
const jobs = defineTopic({ subject: 'kalla.test.jobs.work.v1', schema: Type.Object({ id: Type.String() }), stream: 'TEST_JOBS' })
const bus = await createNatsBus({ servers: server.url, name: 'outage-test', logger: silentLogger, connectOptions: { reconnectTimeWait: 200, maxReconnectAttempts: -1 } })
const other = await createNatsBus({ servers: server.url, name: 'outage-server', logger: silentLogger, connectOptions: { reconnectTimeWait: 200, maxReconnectAttempts: -1 } })
t.teardown(async () => { await bus.close(); await other.close() })
await bus.ensureStreams(streams)
await other.serve(echo, async (request) => ({ text: request.text, by: 'other' }), { queue: 'echo' })

const codeOf = async (call: Promise<unknown>): Promise<string> => await call.then(() => 'answered', (e: unknown) => e instanceof BusError ? e.code : String(e))

t.test('with the server down, requests, publishes and lag reads are refused as unavailable instead of waiting', async (t) => {
  t.same(await bus.request(echo, { text: 'before' }), { text: 'before', by: 'other' })
  await server.kill()
  await waitFor(async () => await codeOf(bus.request(echo, { text: 'x' }, { timeoutMs: 200 })) === 'BUS_UNAVAILABLE' ? true : undefined, 10_000, 'the bus to notice the outage')
  // With a timeout far beyond the test's own, only an immediate refusal can pass.
  const error = await bus.request(echo, { text: 'during' }, { timeoutMs: 3_600_000 }).catch((e: unknown) => e)
  t.ok(isUnavailable(error), 'a request is refused as unavailable (503)')
  t.equal((error as BusError).code, 'BUS_UNAVAILABLE')
  t.match((error as BusError).message, /try again/)
  t.equal(await codeOf(bus.publish(jobs, { id: 'j1' })), 'BUS_UNAVAILABLE', 'a publish too')
  t.equal(await codeOf(bus.queueLag(jobs, 'nobody')), 'BUS_UNAVAILABLE', 'and the readiness check\'s lag read')
})

t.test('when the server is back, the same bus answers again by itself', async (t) => {
  await server.restart()
  const answer = await waitFor(async () => await bus.request(echo, { text: 'after' }, { timeoutMs: 1000 }).catch(() => undefined), 20_000, 'the bus to reconnect')
  t.same(answer, { text: 'after', by: 'other' })
  t.same(await bus.publish(jobs, { id: 'j2' }).then((r) => typeof r.seq), 'number', 'publishing works again')
})
