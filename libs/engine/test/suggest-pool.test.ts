import t from 'tap'
import { withSandbox } from '../src/sandbox.ts'
import { onEach } from '../src/suggest/pool.ts'
import { tempDir } from './fixtures.ts'

// The suggestion works on two connections at once; its results must not depend on which finished first.
const dir = await tempDir(t)

t.test('work on two connections keeps the items\' order, runs two at a time, and uses both connections', async (t) => {
  await withSandbox({ workDir: dir }, {}, async ({ connection, second }) => {
    let running = 0
    let most = 0
    const used = new Set<unknown>()
    // Later items finish first: each sleeps less than the one before it.
    const results = await onEach([5, 4, 3, 2, 1, 0], [connection, second], async (n, c) => {
      used.add(c)
      most = Math.max(most, ++running)
      const reader = await c.runAndReadAll(`SELECT ${n} * 10 AS v FROM (SELECT sleep_ms(${n * 20}))`)
      running--
      return Number(reader.getRowsJS()[0]?.[0])
    })
    t.same(results, [50, 40, 30, 20, 10, 0])
    t.equal(most, 2)
    t.equal(used.size, 2)
  })
})

t.test('a failure is thrown once no work runs any more, the first item\'s in order first', async (t) => {
  await withSandbox({ workDir: dir }, {}, async ({ connection, second }) => {
    const finished: number[] = []
    const work = onEach([0, 1, 2, 3], [connection, second], async (n, c) => {
      if (n === 1) {
        await c.run('SELECT sleep_ms(10)')
        throw new Error('second item')
      }
      if (n === 0) {
        await c.run('SELECT sleep_ms(80)')
        finished.push(n)
        throw new Error('first item')
      }
      finished.push(n)
      return n
    })
    await t.rejects(work, { message: 'first item' })
    t.same(finished, [0], 'the first item ran to its end; nothing new started after the failure')
  })
})

t.test('one connection given twice runs the work one item at a time', async (t) => {
  await withSandbox({ workDir: dir }, {}, async ({ connection }) => {
    let running = 0
    let most = 0
    const results = await onEach([1, 2, 3], [connection, connection], async (n, c) => {
      most = Math.max(most, ++running)
      await c.run('SELECT sleep_ms(5)')
      running--
      return n * 2
    })
    t.same(results, [2, 4, 6])
    t.equal(most, 1)
  })
})
