import type { Test } from 'tap'
import type { Bus } from '../src/index.ts'
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
    t.equal((await rejection(bus.request(c.nobody, { text: 'x' }, { timeoutMs: 3_000 }))).code, 'BUS_NO_RESPONDERS')
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
