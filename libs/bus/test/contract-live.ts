import type { Test } from 'tap'
import { quick, rejection, setup, sleep, until, type HarnessFactory } from './fixtures.ts'

export function stopContract (t: Test, factory: HarnessFactory): void {
  t.test('a graceful stop waits for the handler in flight, which still acks', async (t) => {
    const { bus, c } = await setup(t, factory)
    let started = false
    let finished = false
    const consumption = await bus.consume(c.jobs, quick, async () => {
      started = true
      await sleep(400)
      finished = true
      return { ack: true }
    })
    await bus.publish(c.jobs, { id: 'j' })
    await until(() => started)
    await consumption.stop()
    t.ok(finished, 'stop resolved after the handler')
    t.equal(await bus.queueLag(c.jobs, quick.durable), 0, 'and its ack reached the stream')
  })

  t.test('a stopped consumption takes no new messages; a new one on the same durable does', async (t) => {
    const { bus, c } = await setup(t, factory)
    const first: string[] = []
    const consumption = await bus.consume(c.jobs, quick, (m) => { first.push(m.id); return { ack: true } })
    await consumption.stop()
    await bus.publish(c.jobs, { id: 'after-stop' })
    await sleep(200)
    t.same(first, [])
    const second: string[] = []
    await bus.consume(c.jobs, quick, (m) => { second.push(m.id); return { ack: true } })
    await until(() => second.length === 1, 3_000, 'the second consumption')
    t.same(second, ['after-stop'])
  })

  t.test('stop with abandon hands the message back at once and aborts the handler', async (t) => {
    const { bus, c } = await setup(t, factory)
    let signal: AbortSignal | undefined
    const consumption = await bus.consume(c.jobs, { ...quick, ackWaitMs: 10_000 }, async (_m, control) => {
      signal = control.signal
      await sleep(1_500)
      return { ack: true }
    })
    await bus.publish(c.jobs, { id: 'j' })
    await until(() => signal !== undefined)
    const started = Date.now()
    await consumption.stop({ abandon: true })
    t.ok(Date.now() - started < 300, 'without waiting for the handler')
    t.equal(signal?.aborted, true)
    const attempts: number[] = []
    await bus.consume(c.jobs, { ...quick, ackWaitMs: 10_000 }, (_m, control) => { attempts.push(control.attempt); return { ack: true } })
    await until(() => attempts.length === 1, 3_000, 'the handed-back message')
    t.same(attempts, [2], 'redelivered well before its ack wait')
  })

  t.test('queue lag counts messages waiting and in flight', async (t) => {
    const { bus, c } = await setup(t, factory)
    let release = () => {}
    const held = new Promise<void>((resolve) => { release = resolve })
    const consumption = await bus.consume(c.jobs, quick, async (_m, control) => {
      const beat = setInterval(() => control.working(), 200)
      await held
      clearInterval(beat)
      return { ack: true }
    })
    for (const id of ['a', 'b', 'c']) await bus.publish(c.jobs, { id })
    await until(async () => await bus.queueLag(c.jobs, quick.durable) === 3, 2_000, 'lag 3')
    release()
    await until(async () => await bus.queueLag(c.jobs, quick.durable) === 0, 3_000, 'lag 0')
    await consumption.stop()
    t.pass()
  })
}

export function liveContract (t: Test, factory: HarnessFactory): void {
  t.test('a live subscriber with a suffix receives only that suffix, in order', async (t) => {
    const { bus, c } = await setup(t, factory)
    const got: Array<[string, number]> = []
    await bus.subscribe(c.events, { subjectSuffix: 'r1', deliver: 'new' }, (m, info) => { got.push([info.subject.split('.').at(-1) ?? '', m.n]) })
    await bus.publish(c.events, { run_id: 'r1', n: 1 }, { subjectSuffix: 'r1' })
    await bus.publish(c.events, { run_id: 'r2', n: 2 }, { subjectSuffix: 'r2' })
    await bus.publish(c.events, { run_id: 'r1', n: 3 }, { subjectSuffix: 'r1' })
    await until(() => got.length === 2)
    await sleep(100)
    t.same(got, [['r1', 1], ['r1', 3]])
  })

  t.test("'new' starts at the subscription, 'all' replays what the stream holds first", async (t) => {
    const { bus, c } = await setup(t, factory)
    await bus.publish(c.events, { run_id: 'r1', n: 1 }, { subjectSuffix: 'r1' })
    await bus.publish(c.events, { run_id: 'r2', n: 2 }, { subjectSuffix: 'r2' })
    const fresh: number[] = []
    const replayed: number[] = []
    await bus.subscribe(c.events, { deliver: 'new' }, (m) => { fresh.push(m.n) })
    await bus.subscribe(c.events, { deliver: 'all' }, (m) => { replayed.push(m.n) })
    await bus.publish(c.events, { run_id: 'r1', n: 3 }, { subjectSuffix: 'r1' })
    await until(() => replayed.length === 3 && fresh.length === 1)
    t.same(fresh, [3])
    t.same(replayed, [1, 2, 3])
  })

  t.test('unsubscribing removes the subscription and its server-side consumer at once', async (t) => {
    const { bus, c, liveConsumers, clientSubscriptions } = await setup(t, factory)
    const baseline = clientSubscriptions?.()
    const got: number[] = []
    const subscriptions = await Promise.all(Array.from({ length: 10 }, async (_, i) =>
      await bus.subscribe(c.events, { subjectSuffix: `idle-${i}`, deliver: 'new' }, (m) => { got.push(m.n) })))
    t.equal(await liveConsumers(c.events.stream), 10)
    await Promise.all(subscriptions.map(async (s) => await s.unsubscribe()))
    t.equal(await liveConsumers(c.events.stream), 0, 'no consumer left, without waiting for a message or a timeout')
    if (baseline !== undefined) t.equal(clientSubscriptions?.(), baseline, 'no client subscription left')
    await bus.publish(c.events, { run_id: 'idle-0', n: 1 }, { subjectSuffix: 'idle-0' })
    await sleep(100)
    t.same(got, [], 'nothing delivered after unsubscribe')
  })

  t.test('a handler may unsubscribe from inside itself', async (t) => {
    const { bus, c, liveConsumers } = await setup(t, factory)
    const got: number[] = []
    const subscription = await bus.subscribe(c.events, { deliver: 'new' }, async (m) => {
      got.push(m.n)
      await subscription.unsubscribe()
    })
    await bus.publish(c.events, { run_id: 'r', n: 1 }, { subjectSuffix: 'r' })
    await until(async () => got.length === 1 && await liveConsumers(c.events.stream) === 0)
    await bus.publish(c.events, { run_id: 'r', n: 2 }, { subjectSuffix: 'r' })
    await sleep(100)
    t.same(got, [1])
  })

  t.test('a work queue cannot be followed live', async (t) => {
    const { bus, c } = await setup(t, factory)
    t.equal((await rejection(bus.subscribe(c.jobs, { deliver: 'new' }, () => {}))).code, 'BUS_UNSUPPORTED')
  })

  t.test('closing the bus ends its consumptions and subscriptions', async (t) => {
    const { bus, c, liveConsumers } = await setup(t, factory)
    await bus.subscribe(c.events, { deliver: 'new' }, () => {})
    await bus.consume(c.jobs, quick, () => ({ ack: true }))
    t.equal(await liveConsumers(c.events.stream), 1)
    await bus.close()
    t.equal(await liveConsumers(c.events.stream), 0)
  })
}
