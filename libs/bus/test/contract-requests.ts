import type { Test } from 'tap'
import { isNotFound, isUnavailable, type Bus } from '../src/index.ts'
import { coded, rejection, setup, sleep, type Contracts, type HarnessFactory } from './fixtures.ts'

async function serveEcho (bus: Bus, c: Contracts, by = 'a', queue = 'echo') {
  let calls = 0
  const service = await bus.serve(c.echo, async (request) => {
    calls++
    if (request.delayMs !== undefined) await sleep(request.delayMs)
    return { text: request.text.toUpperCase(), by }
  }, { queue })
  return { service, calls: () => calls }
}

export function requestContract (t: Test, factory: HarnessFactory): void {
  t.test('a request gets the validated response of its handler', async (t) => {
    const { bus, c } = await setup(t, factory)
    await serveEcho(bus, c)
    t.same(await bus.request(c.echo, { text: 'hello' }), { text: 'HELLO', by: 'a' })
  })

  t.test('servers in one queue group share the requests between them', async (t) => {
    const { bus, c } = await setup(t, factory)
    const a = await serveEcho(bus, c, 'a')
    const b = await serveEcho(bus, c, 'b')
    const replies = await Promise.all(Array.from({ length: 60 }, async (_, i) => await bus.request(c.echo, { text: `m${i}` })))
    t.equal(replies.length, 60)
    t.equal(a.calls() + b.calls(), 60, 'each request is handled once')
    t.ok(a.calls() > 0 && b.calls() > 0, `both servers got some (${a.calls()} / ${b.calls()})`)
  })

  t.test('a coded error travels to the caller with its code, message and problems', async (t) => {
    const { bus, c } = await setup(t, factory)
    await bus.serve(c.echo, (request) => {
      throw coded('RUNS_RUN_NOT_FOUND', `No run "${request.text}"`, { problems: [{ code: 'RUNS_RUN_NOT_FOUND', message: 'unknown', path: '/text' }] })
    }, { queue: 'echo' })
    const error = await rejection(bus.request(c.echo, { text: 'r1' }))
    t.equal(error.code, 'RUNS_RUN_NOT_FOUND')
    t.equal(error.message, 'No run "r1"')
    t.same(error.problems, [{ code: 'RUNS_RUN_NOT_FOUND', message: 'unknown', path: '/text' }])
  })

  t.test("a coded error carries the answering service's status, which isNotFound reads", async (t) => {
    const { bus, c } = await setup(t, factory)
    await bus.serve(c.echo, (request) => {
      if (request.text === 'gone') throw coded('RUNS_RUN_NOT_FOUND', 'No such run', { statusCode: 404 })
      if (request.text === 'named-like-missing') throw coded('RUNS_LIST_NOT_FOUND', 'A conflict worded oddly', { statusCode: 409 })
      if (request.text === 'huge') throw coded('SOURCES_UPLOAD_TOO_LARGE', 'Too large', { statusCode: 413 })
      throw coded('RUNS_BAD_THING', 'No status given')
    }, { queue: 'echo' })
    const gone = await rejection(bus.request(c.echo, { text: 'gone' }))
    t.equal(gone.status, 404)
    t.ok(isNotFound(gone), 'a 404 is not found')
    const odd = await rejection(bus.request(c.echo, { text: 'named-like-missing' }))
    t.equal(odd.status, 409)
    t.notOk(isNotFound(odd), 'a _NOT_FOUND suffix alone does not make a not-found')
    t.equal((await rejection(bus.request(c.echo, { text: 'huge' }))).status, 413)
    t.equal((await rejection(bus.request(c.echo, { text: 'other' }))).status, 400, 'a coded error without status is a 400')
    t.notOk(isUnavailable(gone))
  })

  t.test('any other error reaches the caller as INTERNAL, without its details', async (t) => {
    const { bus, c } = await setup(t, factory)
    await bus.serve(c.echo, (request) => {
      if (request.text === 'plain') throw new Error('password=hunter2 at /srv/secret.ts:12')
      if (request.text === 'system') throw coded('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.7:5432')
      throw coded('23505', 'duplicate key value violates unique constraint "runs_pkey"')
    }, { queue: 'echo' })
    for (const text of ['plain', 'system', 'sql']) {
      const error = await rejection(bus.request(c.echo, { text }))
      t.equal(error.code, 'INTERNAL', text)
      t.equal(error.status, 500, `${text}: the service's own failure is a 500`)
      t.notOk(isUnavailable(error), 'a failure is not an absence')
      t.notMatch(error.message, /hunter2|secret|10\.0\.0\.7|runs_pkey/, `${text}: nothing internal leaks`)
      t.notMatch(String(error.stack), /secret\.ts/)
    }
  })

  t.test('an invalid request is answered with BUS_INVALID_MESSAGE without calling the handler', async (t) => {
    const { bus, c } = await setup(t, factory)
    const echo = await serveEcho(bus, c)
    const error = await rejection(bus.request(c.looseEcho, { text: 5, extra: true }))
    t.equal(error.code, 'BUS_INVALID_MESSAGE')
    t.ok(error.problems?.some((p) => p.path === '/text'), 'the problems name the field')
    t.equal(echo.calls(), 0)
  })

  t.test('an invalid request is refused before it is sent', async (t) => {
    const { bus, c } = await setup(t, factory)
    const echo = await serveEcho(bus, c)
    const error = await rejection(bus.request(c.echo, { text: '' }))
    t.equal(error.code, 'BUS_INVALID_MESSAGE')
    t.equal(echo.calls(), 0)
  })

  t.test('a response that breaks its contract is not sent; the caller gets INTERNAL', async (t) => {
    const { bus, c } = await setup(t, factory)
    // @ts-expect-error the handler breaks the response contract on purpose
    await bus.serve(c.echo, () => ({ text: 1 }), { queue: 'echo' })
    t.equal((await rejection(bus.request(c.echo, { text: 'x' }))).code, 'INTERNAL')
  })

  t.test('a request nobody serves fails at once with BUS_NO_RESPONDERS', async (t) => {
    const { bus, c } = await setup(t, factory)
    const started = Date.now()
    const error = await rejection(bus.request(c.nobody, { text: 'x' }, { timeoutMs: 3_000 }))
    t.equal(error.code, 'BUS_NO_RESPONDERS')
    t.equal(error.status, 503)
    t.ok(isUnavailable(error))
    t.ok(Date.now() - started < 1_000, 'without waiting for the timeout')
  })

  t.test('a slow handler makes the caller fail with BUS_TIMEOUT after timeoutMs', async (t) => {
    const { bus, c } = await setup(t, factory)
    await serveEcho(bus, c)
    const started = Date.now()
    t.equal((await rejection(bus.request(c.echo, { text: 'x', delayMs: 600 }, { timeoutMs: 150 }))).code, 'BUS_TIMEOUT')
    t.ok(Date.now() - started < 550)
  })

  t.test('a stopped server takes no more requests, after finishing the one in hand', async (t) => {
    const { bus, c } = await setup(t, factory)
    const { service } = await serveEcho(bus, c)
    const slow = bus.request(c.echo, { text: 'late', delayMs: 200 })
    await sleep(50)
    await service.stop()
    t.same(await slow, { text: 'LATE', by: 'a' })
    t.equal((await rejection(bus.request(c.echo, { text: 'x' }))).code, 'BUS_NO_RESPONDERS')
  })

  t.test('a closed bus refuses work with BUS_CLOSED', async (t) => {
    const { bus, c } = await setup(t, factory)
    await bus.close()
    t.equal((await rejection(bus.request(c.echo, { text: 'x' }))).code, 'BUS_CLOSED')
    t.equal((await rejection(bus.publish(c.jobs, { id: 'j' }))).code, 'BUS_CLOSED')
  })
}
