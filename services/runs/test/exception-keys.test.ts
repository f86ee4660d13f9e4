import t from 'tap'
import { ListExceptionKeys, UpdateExceptions, type RecordKey } from '@kalla/proto'
import { startRunsService } from './harness.ts'

// ListExceptionKeys over real Postgres: the keys of one side whose stored state passes a filter, paged by
// the last key; the expected sets are computed here from the changes made.
const ana = { name: 'ana', id: 'key-ana' }
const ids = Array.from({ length: 40 }, (_, i) => `INV-${i + 1}`)
const investigating = ids.filter((_, i) => i % 3 === 0)
const resolved = ids.filter((_, i) => i % 3 === 1 && i % 2 === 0)
const carla = ids.filter((_, i) => i % 4 === 0)

t.test('the keys of a state, of an assignee, and of every state but open, paged without repeats or gaps', async (t) => {
  const { bus } = await startRunsService(t)
  const change = (side: 'left' | 'right', keys: string[], c: Record<string, unknown>) => bus.request(UpdateExceptions, { recipe_id: 'inv-pay', records: keys.map((k) => ({ side, key: [k] })), change: c, actor: ana })
  await change('left', investigating, { state: 'investigating' })
  await change('left', resolved, { resolution: 'timing' })
  await change('left', carla, { assignee: 'carla' })
  await change('right', ['INV-1', 'P-1'], { state: 'investigating' }) // the other side is never listed
  const all = async (filter: Record<string, string>, limit: number): Promise<{ keys: string[], pages: number }> => {
    const keys: string[] = []
    let pages = 0
    for (let after: RecordKey | undefined; ;) {
      const page = await bus.request(ListExceptionKeys, { recipe_id: 'inv-pay', side: 'left', ...filter, ...(after === undefined ? {} : { after }), limit })
      pages++
      keys.push(...page.keys.map((k) => k[0]!))
      t.ok(page.keys.length <= limit, 'a page holds at most its limit')
      if (!page.more) return { keys, pages }
      after = page.keys.at(-1)
    }
  }
  const sorted = (keys: string[]): string[] => [...keys].sort()
  const inv = await all({ state: 'investigating' }, 4)
  t.same(sorted(inv.keys), sorted(investigating.filter((k) => !resolved.includes(k))), 'investigating')
  t.equal(inv.pages, Math.ceil(inv.keys.length / 4), 'the last page says no more follow')
  t.same(sorted((await all({ state: 'resolved' }, 3)).keys), sorted(resolved))
  t.same(sorted((await all({ assignee: 'carla' }, 5)).keys), sorted(carla))
  const notOpen = sorted([...new Set([...investigating, ...resolved])])
  t.same(sorted((await all({ not_state: 'open' }, 2)).keys), notOpen, 'every record with a state other than open')
  const openCarla = carla.filter((k) => !notOpen.includes(k))
  t.same(sorted((await all({ state: 'open', assignee: 'carla' }, 10)).keys), sorted(openCarla), 'a stored row of an open record is listed as open')
  t.same((await all({ assignee: 'nobody' }, 10)).keys, [])
})
