import t from 'tap'
import { HELPERS } from '@kalla/engine'
import { SQL_HELPERS } from '@kalla/console/sql-helpers'

t.test('the SQL editor completes exactly the helpers the engine defines', async (t) => {
  t.same(SQL_HELPERS.map((h) => [h.name, h.signature, h.doc]), Object.entries(HELPERS).map(([name, h]) => [name, h.signature, h.doc]))
})
