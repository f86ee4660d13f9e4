import t from 'tap'
import { liveIterator, type LiveFeed } from '../../src/subscriptions/live-iterator.ts'

/** A live iterator whose feed the test drives; `cleaned` counts the cleanups that ran. */
function driven (buffered: number) {
  let feed: LiveFeed<number> | undefined
  const state = { started: 0, cleaned: 0 }
  const iterator = liveIterator<number>(buffered, async (f) => {
    state.started++
    feed = f
    f.finally(async () => { state.cleaned++ })
  })
  return { iterator, state, feed: () => feed as LiveFeed<number> }
}

async function readAll (iterator: AsyncIterableIterator<number>): Promise<number[]> {
  const values: number[] = []
  for await (const value of iterator) values.push(value)
  return values
}

t.test('it starts on the first read, hands over values pushed while reading and queued ones in order, and ends after them', async (t) => {
  const { iterator, state, feed } = driven(10)
  t.equal(state.started, 0, 'nothing runs before a read')
  const first = iterator.next()
  await Promise.resolve()
  feed().push(1)
  t.same(await first, { value: 1, done: false })
  feed().push(2)
  feed().push(3)
  feed().end()
  feed().push(4)
  t.same(await readAll(iterator), [2, 3], 'a push after the end is ignored')
  t.equal(state.cleaned, 1)
})

t.test('past the buffer the oldest values are dropped, never the last one', async (t) => {
  const { iterator, feed } = driven(3)
  const first = iterator.next()
  await Promise.resolve()
  feed().push(0)
  await first
  for (let i = 1; i <= 10; i++) feed().push(i)
  feed().end()
  t.same(await readAll(iterator), [8, 9, 10])
})

t.test('return() ends a waiting read, runs the cleanups at once, and one registered later runs as it is registered', async (t) => {
  const { iterator, state, feed } = driven(3)
  const waiting = iterator.next()
  await Promise.resolve()
  t.same(await iterator.return?.(), { value: undefined, done: true })
  t.same(await waiting, { value: undefined, done: true })
  t.equal(state.cleaned, 1)
  let late = 0
  feed().finally(async () => { late++ })
  t.equal(late, 1)
  feed().push(1)
  t.same(await iterator.next(), { value: undefined, done: true })
})

t.test('a start that fails rejects the read with its error after cleaning up what it had set up', async (t) => {
  let cleaned = 0
  const iterator = liveIterator<number>(3, async (feed) => {
    feed.finally(async () => { cleaned++ })
    throw new Error('unknown run')
  })
  await t.rejects(iterator.next(), { message: 'unknown run' })
  t.equal(cleaned, 1)
  t.same(await iterator.next(), { value: undefined, done: true }, 'and then it is over')
})
