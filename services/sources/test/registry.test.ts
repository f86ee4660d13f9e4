import t from 'tap'
import { sql } from 'kysely'
import { GetSource, ListSources, RegisterSource, RemoveSource, UpdateSource } from '@kalla/proto'
import { createInvoicesTable, errorCode, resolveAsWorker, sourceUri, startSources } from './helpers.ts'

t.test('a source goes through register, list, get, update and remove, always shown without its password', async (t) => {
  const { bus } = await startSources(t)
  const { schema } = await createInvoicesTable(t)
  const { uri, password } = sourceUri(`${schema}.invoices`)
  const outputs: unknown[] = []

  const registered = await bus.request(RegisterSource, { alias: 'erp', type: 'postgres', uri })
  outputs.push(registered)
  t.equal(registered.alias, 'erp')
  t.equal(registered.uri, uri.replace(`:${encodeURIComponent(password)}@`, ':***@'))
  t.match(registered.uri, /^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:5432\/postgres\?table=sources_data_[0-9a-f]+\.invoices$/)
  t.same(registered.columns.map((c) => c.name), ['invoice_id', 'amount', 'total', 'issued', 'paid', 'created_at', 'lines'], 'columns are read at registration')

  const listed = await bus.request(ListSources, {})
  outputs.push(listed)
  t.same(listed.sources.map((s) => s.alias), ['erp'])
  const got = await bus.request(GetSource, { alias: 'ERP' })
  outputs.push(got)
  t.same(got, registered, 'aliases are found in any case')

  const moved = `${uri}&sslmode=disable&password=${encodeURIComponent(password)}`
  const updated = await bus.request(UpdateSource, { alias: 'erp', uri: moved })
  outputs.push(updated)
  t.match(updated.uri, /&sslmode=disable&password=\*\*\*$/, 'credential query parameters are masked, others kept')
  t.ok(updated.updated_at >= registered.updated_at)

  const resolved = await resolveAsWorker(bus, 'erp')
  t.equal(resolved.uri, moved, 'resolve (internal) answers the real URI, sealed to the worker that asked')

  t.same(await bus.request(RemoveSource, { alias: 'erp' }), { removed: true })
  t.same(await bus.request(RemoveSource, { alias: 'erp' }), { removed: false })
  t.equal(await errorCode(bus.request(GetSource, { alias: 'erp' })), 'SOURCES_NOT_FOUND')
  t.notMatch(JSON.stringify(outputs), password, 'no API output contains the password')
})

t.test('a second source with a taken alias is refused, whatever its case', async (t) => {
  const { bus } = await startSources(t)
  await bus.request(RegisterSource, { alias: 'ledger', type: 'bigquery', uri: 'bigquery://project/dataset?table=ledger' })
  t.equal(await errorCode(bus.request(RegisterSource, { alias: 'ledger', type: 'bigquery', uri: 'bigquery://p/d?table=t' })), 'SOURCES_ALREADY_EXISTS')
  t.equal(await errorCode(bus.request(RegisterSource, { alias: 'Ledger', type: 'bigquery', uri: 'bigquery://p/d?table=t' })), 'SOURCES_ALREADY_EXISTS')
  t.equal((await bus.request(ListSources, {})).sources.length, 1)
})

t.test('URIs are stored encrypted: the raw table holds neither the password nor the URI', async (t) => {
  const { bus, database, schema } = await startSources(t)
  const { uri, password } = sourceUri('public.nowhere')
  await bus.request(RegisterSource, { alias: 'erp', type: 'postgres', uri })
  await bus.request(RegisterSource, { alias: 'erp2', type: 'postgres', uri })
  const rows = await sql<{ alias: string, uri_sealed: string }>`SELECT * FROM ${sql.id(schema, 'sources')} ORDER BY alias`.execute(database.db)
  const raw = JSON.stringify(rows.rows)
  t.notMatch(raw, password)
  t.notMatch(raw, '127.0.0.1')
  t.match(rows.rows[0]?.uri_sealed, /^v2\.[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+$/)
  t.not(rows.rows[0]?.uri_sealed, rows.rows[1]?.uri_sealed, 'a random IV makes equal URIs differ')

  await sql`UPDATE ${sql.id(schema, 'sources')} SET uri_sealed = ${rows.rows[1]?.uri_sealed} WHERE alias = 'erp'`.execute(database.db)
  t.equal(await errorCode(resolveAsWorker(bus, 'erp')), 'SOURCES_URI_UNREADABLE', 'a sealed URI copied onto another source does not open')
  const listed = await bus.request(ListSources, {})
  t.match(listed.sources[0]?.uri, /^\*\*\* \(cannot be decrypted/, 'the listing still shows every source')
})

t.test('an unreachable source is registered without columns; bad URIs are refused', async (t) => {
  const { bus } = await startSources(t)
  const { uri } = sourceUri('public.no_such_table')
  const source = await bus.request(RegisterSource, { alias: 'missing', type: 'postgres', uri })
  t.same(source.columns, [])
  t.equal(await errorCode(bus.request(RegisterSource, { alias: 'bad', type: 'postgres', uri: 'mysql://h/db?table=x' })), 'SOURCES_URI_INVALID')
  t.equal(await errorCode(bus.request(RegisterSource, { alias: 'bad', type: 'postgres', uri: 'postgres://h/db' })), 'SOURCES_URI_INVALID')
  t.equal(await errorCode(bus.request(RegisterSource, { alias: 'bad', type: 'file', uri: '../etc/passwd' })), 'SOURCES_URI_INVALID')
  t.equal(await errorCode(bus.request(UpdateSource, { alias: 'nobody', type: 'file' })), 'SOURCES_NOT_FOUND')
})
