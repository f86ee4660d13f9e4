import t from 'tap'
import { GetSource, RegisterSource, RemoveSource, UpdateSource, type StoredRecipe } from '@kalla/proto'
import { startPostgresServer } from '@kalla/testing'
import { closedPort, createInvoicesTable, errorCode, sourceUri, startSources } from './helpers.ts'

// registerSource keeps a source that cannot be read (to be fixed and tested later) and says why in its
// answer; removeSource refuses a source a saved recipe uses.

const PASSWORD = 'right-horse-battery-7'
const guarded = await startPostgresServer(PASSWORD)
t.teardown(() => guarded.stop())

function recipeUsing (recipeId: string, name: string, alias: string): StoredRecipe {
  return {
    recipe: {
      recipe_id: recipeId,
      name,
      match_sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON p.ref = i.invoice_id',
      sources: {
        left: { alias: 'invoices', type: 'postgres', uri: `source:${alias}`, primary_key: ['invoice_id'] },
        right: { alias: 'payments', type: 'file', schema: ['payment_id', 'ref'], primary_key: ['payment_id'] }
      }
    },
    created_at: '2026-12-01T08:00:00.000Z',
    updated_at: '2026-12-01T08:00:00.000Z'
  }
}

t.test('a wrong password, an unreachable host and a missing table: registered without columns, the coded reason in the answer', async (t) => {
  const { bus } = await startSources(t, { SOURCES_CONNECT_TIMEOUT_MS: '2000' })
  const wrong = 'wrong-horse-9'
  const cases = [
    { alias: 'wrong_password', uri: `postgres://postgres:${wrong}@127.0.0.1:${guarded.port}/postgres?table=public.invoices`, code: 'SOURCES_UNREACHABLE', secret: wrong },
    { alias: 'no_host', uri: `postgres://postgres:${PASSWORD}@127.0.0.1:${await closedPort()}/postgres?table=public.invoices`, code: 'SOURCES_UNREACHABLE', secret: PASSWORD },
    { alias: 'no_table', uri: sourceUri('public.no_such_table').uri, code: 'SOURCES_QUERY_FAILED', secret: sourceUri('public.no_such_table').password }
  ]
  for (const c of cases) {
    const registered = await bus.request(RegisterSource, { alias: c.alias, type: 'postgres', uri: c.uri })
    t.same(registered.columns, [], `${c.alias}: no columns`)
    t.equal(registered.problem?.code, c.code, `${c.alias}: the reason's code`)
    t.ok((registered.problem?.message.length ?? 0) > 10, `${c.alias}: a message says what failed`)
    t.notMatch(JSON.stringify(registered), c.secret, `${c.alias}: no password in the answer`)
    const stored = await bus.request(GetSource, { alias: c.alias })
    t.notOk('problem' in stored, `${c.alias}: the problem belongs to the answer, not the stored source`)
  }
  const fixed = await bus.request(UpdateSource, { alias: 'wrong_password', uri: `postgres://postgres:${PASSWORD}@127.0.0.1:${guarded.port}/postgres?table=pg_catalog.pg_database` })
  t.equal(fixed.problem, undefined, 'a source that reads has no problem')
  t.ok(fixed.columns.length > 0, 'and its columns')
})

t.test('a readable source is registered with its columns and no problem', async (t) => {
  const { bus } = await startSources(t)
  const { schema } = await createInvoicesTable(t)
  const registered = await bus.request(RegisterSource, { alias: 'erp', type: 'postgres', uri: sourceUri(`${schema}.invoices`).uri })
  t.equal(registered.problem, undefined)
  t.ok(registered.columns.length > 0)
})

t.test('a source a saved recipe uses is refused removal with SOURCES_IN_USE naming the recipes', async (t) => {
  const { bus, recipes } = await startSources(t)
  await bus.request(RegisterSource, { alias: 'ledger', type: 'bigquery', uri: 'bigquery://project/dataset?table=ledger' })
  recipes.saved.push(recipeUsing('monthly', 'Monthly close', 'Ledger'), recipeUsing('weekly', 'Weekly check', 'ledger'), recipeUsing('other', 'Other', 'erp'))
  const refused = await bus.request(RemoveSource, { alias: 'ledger' }).then(() => undefined, (e: unknown) => e as { code: string, message: string })
  t.equal(refused?.code, 'SOURCES_IN_USE')
  t.match(refused?.message, /"Monthly close" \(monthly\), "Weekly check" \(weekly\)/)
  t.notMatch(refused?.message, /Other/)
  t.equal((await bus.request(GetSource, { alias: 'ledger' })).alias, 'ledger', 'the source is kept')
  recipes.saved.length = 0
  t.same(await bus.request(RemoveSource, { alias: 'ledger' }), { removed: true }, 'once no recipe uses it, it goes')
  t.same(await bus.request(RemoveSource, { alias: 'ledger' }), { removed: false })
})

t.test('when the recipes service cannot answer, the source is kept: SOURCES_RECIPES_UNAVAILABLE', async (t) => {
  const { bus, recipes } = await startSources(t)
  await bus.request(RegisterSource, { alias: 'ledger', type: 'bigquery', uri: 'bigquery://project/dataset?table=ledger' })
  recipes.down = true
  t.equal(await errorCode(bus.request(RemoveSource, { alias: 'ledger' })), 'SOURCES_RECIPES_UNAVAILABLE')
  t.equal((await bus.request(GetSource, { alias: 'ledger' })).alias, 'ledger', 'the source is kept')
})
