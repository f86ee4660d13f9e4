import t from 'tap'
import { PreviewSource, RegisterSource, SourceColumns, TestSource } from '@kalla/proto'
import { createStorage } from '@kalla/storage'
import { errorCode, startSources } from './helpers.ts'

const LEDGER = 'entry_id,amount,booked_on,memo\nE1,10.10,2024-01-01,rent\nE2,250.00,2024-01-02,Payroll January\nE3,-5.5,2024-01-03,fee\n'

t.test('a file source is an object in storage, tested, introspected and previewed like a table', async (t) => {
  const { bus, storageDir } = await startSources(t)
  await createStorage({ type: 'local', root: storageDir }).put('sources/ledger.csv', LEDGER)
  const registered = await bus.request(RegisterSource, { alias: 'ledger', type: 'file', uri: 'sources/ledger.csv' })
  t.same(registered.columns, [
    { name: 'entry_id', type: 'VARCHAR' },
    { name: 'amount', type: 'DECIMAL(18,2)' },
    { name: 'booked_on', type: 'DATE' },
    { name: 'memo', type: 'VARCHAR' }
  ])
  t.same(await bus.request(TestSource, { alias: 'ledger' }), { ok: true, message: 'Read sources/ledger.csv (4 columns).' })
  t.same((await bus.request(SourceColumns, { alias: 'ledger' })).columns, registered.columns)

  const preview = await bus.request(PreviewSource, { alias: 'ledger', limit: 5, filters: [{ column: 'amount', op: '>', value: '10.05' }, { column: 'MEMO', op: 'contains', value: 'PAY' }] })
  t.same(preview.rows, [{ entry_id: 'E2', amount: '250.00', booked_on: '2024-01-02', memo: 'Payroll January' }])
  const first = await bus.request(PreviewSource, { alias: 'ledger', limit: 2 })
  t.same(first.rows.map((r) => r.entry_id), ['E1', 'E2'])
  t.equal(await errorCode(bus.request(PreviewSource, { alias: 'ledger', limit: 2, filters: [{ column: 'missing', op: '=', value: 1 }] })), 'SOURCES_FILTER_INVALID')
})

t.test('a file source whose object is missing registers without columns and tests not ok', async (t) => {
  const { bus } = await startSources(t)
  const registered = await bus.request(RegisterSource, { alias: 'later', type: 'file', uri: 'sources/later.parquet' })
  t.same(registered.columns, [])
  const result = await bus.request(TestSource, { alias: 'later' })
  t.same(result, { ok: false, message: 'No file is stored under sources/later.parquet: upload it there, or update later with the right key.' })
  t.equal(await errorCode(bus.request(SourceColumns, { alias: 'later' })), 'SOURCES_UNREACHABLE')
})
