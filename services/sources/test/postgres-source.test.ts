import t from 'tap'
import { PreviewSource, RegisterSource, SourceColumns, TestSource, UpdateSource } from '@kalla/proto'
import { closedPort, createInvoicesTable, errorCode, sourceUri, startSources } from './helpers.ts'

t.test('testing a reachable source connects and reads its table', async (t) => {
  const { bus } = await startSources(t)
  const { schema } = await createInvoicesTable(t)
  await bus.request(RegisterSource, { alias: 'erp', type: 'postgres', uri: sourceUri(`${schema}.invoices`).uri })
  const result = await bus.request(TestSource, { alias: 'erp' })
  t.same(result, { ok: true, message: `Connected to 127.0.0.1:5432/postgres and read the table ${schema}.invoices (7 columns).` })

  await bus.request(UpdateSource, { alias: 'erp', uri: sourceUri(`${schema}.no_such_table`).uri })
  const missing = await bus.request(TestSource, { alias: 'erp' })
  t.equal(missing.ok, false)
  t.match(missing.message, `The table ${schema}.no_such_table does not exist in 127.0.0.1:5432/postgres`)
})

t.test('testing a source on a closed port answers not ok, saying what failed without the password', async (t) => {
  const { bus } = await startSources(t)
  const port = await closedPort()
  const { uri, password } = sourceUri('public.invoices', port)
  const registered = await bus.request(RegisterSource, { alias: 'down', type: 'postgres', uri })
  t.same(registered.columns, [], 'registration succeeds without columns')
  const result = await bus.request(TestSource, { alias: 'down' })
  t.equal(result.ok, false)
  t.match(result.message, `Cannot connect to the Postgres database 127.0.0.1:${port}/postgres`)
  t.match(result.message, /ECONNREFUSED/)
  t.notMatch(result.message, password)
  t.equal(await errorCode(bus.request(SourceColumns, { alias: 'down' })), 'SOURCES_UNREACHABLE')
})

t.test('columns carry the exact types a run stages them as', async (t) => {
  const { bus } = await startSources(t)
  const { schema } = await createInvoicesTable(t)
  await bus.request(RegisterSource, { alias: 'erp', type: 'postgres', uri: sourceUri(`${schema}.invoices`).uri })
  const { columns } = await bus.request(SourceColumns, { alias: 'erp' })
  t.same(columns, [
    { name: 'invoice_id', type: 'VARCHAR' },
    { name: 'amount', type: 'DECIMAL(12,2)' },
    { name: 'total', type: 'DECIMAL(18,3)' },
    { name: 'issued', type: 'DATE' },
    { name: 'paid', type: 'BOOLEAN' },
    { name: 'created_at', type: 'TIMESTAMPTZ' },
    { name: 'lines', type: 'INTEGER' }
  ], 'numeric(12,2) is DECIMAL(12,2); an unconstrained numeric is typed from its values like the engine does')

  const query = `SELECT invoice_id, amount * 2 AS doubled FROM ${schema}.invoices`
  await bus.request(RegisterSource, { alias: 'doubled', type: 'postgres', uri: sourceUri('x').uri.replace(/table=x$/, `query=${encodeURIComponent(query)}`) })
  t.same((await bus.request(SourceColumns, { alias: 'doubled' })).columns, [{ name: 'invoice_id', type: 'VARCHAR' }, { name: 'doubled', type: 'DECIMAL(18,2)' }])
})

t.test('a preview returns the first rows that pass the filters, as JSON-safe values', async (t) => {
  const { bus } = await startSources(t)
  const { schema } = await createInvoicesTable(t)
  await bus.request(RegisterSource, { alias: 'erp', type: 'postgres', uri: sourceUri(`${schema}.invoices`).uri })

  const all = await bus.request(PreviewSource, { alias: 'erp', limit: 2 })
  t.equal(all.rows.length, 2)
  t.equal(all.columns.length, 7)

  const filtered = await bus.request(PreviewSource, { alias: 'erp', limit: 10, filters: [{ column: 'AMOUNT', op: '>=', value: 100 }, { column: 'issued', op: '<', value: '2024-03-01' }] })
  t.same(filtered.rows, [
    { invoice_id: 'INV-1', amount: '100.50', total: '100.500', issued: '2024-01-31', paid: true, created_at: '2024-01-31T10:00:00Z', lines: 2 },
    { invoice_id: 'INV-2', amount: '250.00', total: '250.125', issued: '2024-02-01', paid: false, created_at: '2024-02-01T11:30:00.25Z', lines: 1 }
  ], 'numerics are exact strings at the scale a run gives them (total is DECIMAL(18,3)), dates and timestamps ISO')

  const limited = await bus.request(PreviewSource, { alias: 'erp', limit: 1, filters: [{ column: 'invoice_id', op: 'contains', value: 'inv-' }, { column: 'paid', op: '=', value: true }] })
  t.same(limited.rows.map((r) => r.invoice_id), ['INV-1'])

  const injection = await bus.request(PreviewSource, { alias: 'erp', limit: 10, filters: [{ column: 'invoice_id', op: '=', value: "x' OR '1'='1" }] })
  t.same(injection.rows, [], 'values are bound as parameters, never spliced into the SQL')

  t.equal(await errorCode(bus.request(PreviewSource, { alias: 'erp', limit: 5, filters: [{ column: 'nope', op: '=', value: 1 }] })), 'SOURCES_FILTER_INVALID')
  t.equal(await errorCode(bus.request(PreviewSource, { alias: 'erp', limit: 5, filters: [{ column: 'amount', op: '=', value: 'lots' }] })), 'SOURCES_FILTER_INVALID')
  t.equal(await errorCode(bus.request(PreviewSource, { alias: 'nobody', limit: 5 })), 'SOURCES_NOT_FOUND')
})
