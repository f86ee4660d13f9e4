import t from 'tap'
import { KALLA_EVENTS, KALLA_JOBS } from '@kalla/proto'
import { BusError } from '../src/index.ts'
import { MemoryStream } from '../src/memory-stream.ts'

const events = (overrides = {}) => new MemoryStream({ ...KALLA_EVENTS, subjects: ['e.>'], ...overrides })

t.test('messages older than maxAgeMs are dropped', async (t) => {
  const stream = events({ maxAgeMs: 1_000 })
  stream.publish('e.a', '1', undefined, Date.now() - 5_000)
  stream.publish('e.a', '2', undefined)
  t.equal(stream.count(1, 'e.>'), 1)
  t.equal(stream.find(1, 'e.>')?.data, '2')
})

t.test("a full 'old' stream drops its oldest messages to make room", async (t) => {
  const stream = events({ maxBytes: 10 })
  for (const data of ['aaaa', 'bbbb', 'cccc']) stream.publish('e.a', data, undefined)
  t.equal(stream.count(1, 'e.>'), 2)
  t.equal(stream.find(1, 'e.>')?.data, 'bbbb')
})

t.test("a full 'new' stream refuses the message", async (t) => {
  const stream = new MemoryStream({ ...KALLA_JOBS, subjects: ['j.>'], maxBytes: 6 })
  stream.publish('j.a', 'aaaa', undefined)
  t.throws(() => stream.publish('j.a', 'bbbb', undefined), new BusError('BUS_STREAM_FULL', 'Stream KALLA_JOBS is full (6 bytes)'))
  t.equal(stream.count(1, 'j.>'), 1)
})

t.test('a message id is forgotten once the duplicate window has passed', async (t) => {
  const stream = events({ duplicateWindowMs: 1_000 })
  const now = Date.now()
  t.equal(stream.publish('e.a', '1', 'id', now - 2_000).duplicate, false)
  t.equal(stream.publish('e.a', '1', 'id', now - 1_500).duplicate, true, 'inside the window')
  t.equal(stream.publish('e.a', '1', 'id', now).duplicate, false, 'after the window')
})

t.test('a work queue forgets consumed messages, a limits stream keeps them', async (t) => {
  const queue = new MemoryStream({ ...KALLA_JOBS, subjects: ['j.>'] })
  const kept = events()
  for (let i = 0; i < 600; i++) {
    queue.consumed(queue.publish('j.a', String(i), undefined).seq)
    kept.consumed(kept.publish('e.a', String(i), undefined).seq)
  }
  t.equal(queue.count(1, 'j.>'), 0)
  t.equal(kept.count(1, 'e.>'), 600)
  t.equal(queue.publish('j.a', 'last', undefined).seq, 601, 'sequences keep growing')
  t.equal(queue.find(1, 'j.>')?.data, 'last')
})
