import type { Test } from 'tap'
import type { DeliveryControl, Outcome } from '../src/index.ts'
import { quick, rejection, setup, sleep, until, type HarnessFactory } from './fixtures.ts'

interface Seen {
  id: string
  attempt: number
  at: number
}

/** A handler that records every delivery and settles it as `decide` says. */
function recorder (decide: (id: string, control: DeliveryControl) => Promise<Outcome> | Outcome = () => ({ ack: true })) {
  const seen: Seen[] = []
  const handler = async (message: { id: string }, control: DeliveryControl): Promise<Outcome> => {
    seen.push({ id: message.id, attempt: control.attempt, at: Date.now() })
    return await decide(message.id, control)
  }
  return { seen, handler, count: (id: string) => seen.filter((s) => s.id === id).length }
}

export function consumeContract (t: Test, factory: HarnessFactory): void {
  t.test('published messages reach a durable consumer once each, and acked ones leave the queue', async (t) => {
    const { bus, c } = await setup(t, factory)
    for (const id of ['a', 'b', 'c']) await bus.publish(c.jobs, { id })
    t.equal(await bus.queueLag(c.jobs, quick.durable), 3, 'lag counts what waits before the consumer exists')
    const r = recorder()
    await bus.consume(c.jobs, quick, r.handler)
    await until(() => r.seen.length === 3)
    t.same(r.seen.map((s) => [s.id, s.attempt]), [['a', 1], ['b', 1], ['c', 1]], 'in publish order, first attempts')
    await until(async () => await bus.queueLag(c.jobs, quick.durable) === 0, 2_000, 'lag 0')
  })

  t.test('a nak with a delay brings the message back after the delay as attempt 2', async (t) => {
    const { bus, c } = await setup(t, factory)
    const r = recorder((_id, control) => control.attempt === 1 ? { nak: 500 } : { ack: true })
    await bus.consume(c.jobs, quick, r.handler)
    await bus.publish(c.jobs, { id: 'j' })
    await until(() => r.seen.length === 2)
    const [first, second] = r.seen
    t.equal(second?.attempt, 2)
    t.ok((second?.at ?? 0) - (first?.at ?? 0) >= 450, `redelivered after ${(second?.at ?? 0) - (first?.at ?? 0)} ms`)
  })

  t.test('a terminated message is never delivered again', async (t) => {
    const { bus, c } = await setup(t, factory)
    const r = recorder(() => ({ term: 'cannot be processed' }))
    await bus.consume(c.jobs, quick, r.handler)
    await bus.publish(c.jobs, { id: 'j' })
    await until(() => r.seen.length === 1)
    await sleep(quick.ackWaitMs + 500)
    t.equal(r.seen.length, 1)
    t.equal(await bus.queueLag(c.jobs, quick.durable), 0)
  })

  t.test('a handler that throws gets the message again after the backoff', async (t) => {
    const { bus, c } = await setup(t, factory)
    const r = recorder((_id, control) => {
      if (control.attempt < 3) throw new Error('transient')
      return { ack: true }
    })
    await bus.consume(c.jobs, quick, r.handler)
    await bus.publish(c.jobs, { id: 'j' })
    await until(() => r.seen.length === 3)
    t.same(r.seen.map((s) => s.attempt), [1, 2, 3])
  })

  t.test('a message not settled within ackWaitMs is delivered again', async (t) => {
    const { bus, c } = await setup(t, factory)
    const r = recorder(async (_id, control) => {
      if (control.attempt === 1) await sleep(quick.ackWaitMs * 2)
      return { ack: true }
    })
    await bus.consume(c.jobs, { ...quick, concurrency: 2 }, r.handler)
    await bus.publish(c.jobs, { id: 'j' })
    await until(() => r.seen.length === 2, 4_000)
    const [first, second] = r.seen
    t.equal(second?.attempt, 2, 'redelivered while the first attempt still runs')
    t.ok((second?.at ?? 0) - (first?.at ?? 0) >= quick.ackWaitMs - 100)
  })

  t.test('a handler calling working() keeps its message past ackWaitMs', async (t) => {
    const { bus, c } = await setup(t, factory)
    const r = recorder(async (_id, control) => {
      for (let i = 0; i < 8; i++) {
        await sleep(quick.ackWaitMs / 4)
        control.working()
      }
      return { ack: true }
    })
    await bus.consume(c.jobs, { ...quick, concurrency: 2 }, r.handler)
    await bus.publish(c.jobs, { id: 'j' })
    await until(async () => await bus.queueLag(c.jobs, quick.durable) === 0 && r.seen.length > 0, 5_000, 'the ack')
    t.same(r.seen.map((s) => s.attempt), [1], 'delivered once over twice the ack wait')
  })

  t.test('a message is delivered at most maxDeliver times', async (t) => {
    const { bus, c } = await setup(t, factory)
    const r = recorder(() => ({ nak: 50 }))
    await bus.consume(c.jobs, { ...quick, maxDeliver: 3 }, r.handler)
    await bus.publish(c.jobs, { id: 'j' })
    await until(() => r.seen.length === 3)
    await sleep(quick.ackWaitMs + 300)
    t.same(r.seen.map((s) => s.attempt), [1, 2, 3])
  })

  t.test('a message whose every delivery went unsettled is reported as a dead letter, once, and others are not', async (t) => {
    const { bus, c } = await setup(t, factory)
    const dead: { id: string, deliveries: number, seq: number }[] = []
    const listening = await bus.deadLetters(c.jobs, quick.durable, (message, info) => { dead.push({ id: message.id, ...info }) })
    t.teardown(() => listening.unsubscribe())
    // A worker that does not finish stands for one killed mid-job: its delivery runs out of ack wait.
    let release = (): void => {}
    const released = new Promise<Outcome>((resolve) => { release = () => resolve({ ack: true }) })
    t.teardown(() => release())
    const r = recorder((id) => id === 'lost' ? released : { ack: true })
    await bus.consume(c.jobs, { ...quick, maxDeliver: 2, concurrency: 4 }, r.handler)
    const published = await bus.publish(c.jobs, { id: 'lost' })
    await bus.publish(c.jobs, { id: 'fine' })
    await until(() => dead.length > 0, 10_000, 'the dead letter')
    await sleep(quick.ackWaitMs + 300)
    t.same(dead, [{ id: 'lost', deliveries: 2, seq: published.seq }])
    t.equal(r.count('lost'), 2, 'delivered maxDeliver times')
  })

  t.test('a message id seen within the duplicate window is stored once', async (t) => {
    const { bus, c } = await setup(t, factory)
    const first = await bus.publish(c.jobs, { id: 'run-1' }, { msgId: 'run-1' })
    const again = await bus.publish(c.jobs, { id: 'run-1' }, { msgId: 'run-1' })
    const other = await bus.publish(c.jobs, { id: 'run-2' }, { msgId: 'run-2' })
    t.same([first.duplicate, again.duplicate, other.duplicate], [false, true, false])
    t.equal(again.seq, first.seq)
    const r = recorder()
    await bus.consume(c.jobs, quick, r.handler)
    await until(() => r.seen.length === 2)
    await sleep(200)
    t.same(r.seen.map((s) => s.id), ['run-1', 'run-2'])
  })

  t.test('no more than `concurrency` handlers run at once', async (t) => {
    const { bus, c } = await setup(t, factory)
    let running = 0
    let most = 0
    const r = recorder(async () => {
      most = Math.max(most, ++running)
      await sleep(80)
      running--
      return { ack: true }
    })
    for (let i = 0; i < 12; i++) await bus.publish(c.jobs, { id: `j${i}` })
    await bus.consume(c.jobs, { ...quick, concurrency: 3 }, r.handler)
    await until(() => r.seen.length === 12)
    t.equal(most, 3)
  })

  t.test('an invalid message is terminated without reaching the handler', async (t) => {
    const { bus, c } = await setup(t, factory)
    const r = recorder()
    await bus.consume(c.jobs, quick, r.handler)
    await bus.publish(c.looseJobs, { id: 42 })
    await bus.publish(c.jobs, { id: 'valid' })
    await until(() => r.seen.length === 1)
    await sleep(quick.ackWaitMs + 300)
    t.same(r.seen.map((s) => s.id), ['valid'])
    t.equal(await bus.queueLag(c.jobs, quick.durable), 0)
  })

  t.test('publishing refuses an invalid message, a wrong suffix and a topic without a stream', async (t) => {
    const { bus, c } = await setup(t, factory)
    // @ts-expect-error the message breaks the contract on purpose
    t.equal((await rejection(bus.publish(c.jobs, { id: 1 }))).code, 'BUS_INVALID_MESSAGE')
    t.equal((await rejection(bus.publish(c.events, { run_id: 'r', n: 1 }))).code, 'BUS_INVALID_SUBJECT')
    t.equal((await rejection(bus.publish(c.events, { run_id: 'r', n: 1 }, { subjectSuffix: 'a.*' }))).code, 'BUS_INVALID_SUBJECT')
    t.equal((await rejection(bus.publish(c.unstored, { id: 'x' }))).code, 'BUS_NO_STREAM')
  })

  t.test('ensureStreams can run again on existing streams', async (t) => {
    const { bus, c } = await setup(t, factory)
    await bus.ensureStreams(c.streams)
    t.equal((await bus.publish(c.jobs, { id: 'x' })).duplicate, false)
  })
}
