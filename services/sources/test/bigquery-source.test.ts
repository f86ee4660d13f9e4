import { sql } from 'kysely'
import t, { type Test } from 'tap'
import { GetSource, ListSources, PreviewSource, RegisterSource, SourceColumns, TestSource, UpdateSource } from '@kalla/proto'
import { startBigQueryServer, type BigQueryServer } from '@kalla/testing'
import { errorCode, resolveAsWorker, startSources } from './helpers.ts'

const FIELDS = [
  { name: 'invoice_id', type: 'STRING', mode: 'REQUIRED' },
  { name: 'amount', type: 'NUMERIC', precision: '12', scale: '2' },
  { name: 'issued', type: 'DATE' },
  { name: 'paid', type: 'BOOL' },
  { name: 'created_at', type: 'TIMESTAMP' },
  { name: 'lines', type: 'INT64' }
]

async function bigQuery (t: Test): Promise<BigQueryServer> {
  const server = await startBigQueryServer({ pageRows: 2 })
  t.teardown(server.close)
  server.addTable('erp', 'invoices', {
    schema: FIELDS,
    rows: [
      ['INV-1', '100.50', '2024-01-31', 'true', '1706695200000000', '2'],
      ['INV-2', '250.00', '2024-02-01', 'false', '1706787000250000', '9007199254740993'],
      ['INV-3', '99.99', '2024-02-15', 'true', null, '3']
    ]
  })
  return server
}

/** Every piece of the service-account key a response must never carry. */
function keyParts (server: BigQueryServer): string[] {
  const uri = server.uri({ dataset: 'erp', table: 'invoices' })
  return [new URL(uri).searchParams.get('credentials')!, ...server.credentials.private_key.split('\n').filter((l) => l.length > 20 && !l.startsWith('-'))]
}

t.test('a BigQuery source is registered with its columns, tested and previewed; its key is never shown', async (t) => {
  const server = await bigQuery(t)
  const { bus, database, schema } = await startSources(t)
  const uri = server.uri({ dataset: 'erp', table: 'invoices' })
  const registered = await bus.request(RegisterSource, { alias: 'ledger', type: 'bigquery', uri })
  t.equal(registered.problem, undefined)
  t.same(registered.columns, [
    { name: 'invoice_id', type: 'VARCHAR' },
    { name: 'amount', type: 'DECIMAL(12,2)' },
    { name: 'issued', type: 'DATE' },
    { name: 'paid', type: 'BOOLEAN' },
    { name: 'created_at', type: 'TIMESTAMP WITH TIME ZONE' },
    { name: 'lines', type: 'BIGINT' }
  ], 'the types a run stages the table with, from its metadata')
  t.match(registered.uri, /^bigquery:\/\/kalla-test\/erp\?table=invoices&credentials=\*\*\*&endpoint=/)

  t.same(await bus.request(TestSource, { alias: 'ledger' }), { ok: true, message: 'Connected to kalla-test/erp and read the table erp.invoices (6 columns).' })
  t.same((await bus.request(SourceColumns, { alias: 'ledger' })).columns, registered.columns)
  const preview = await bus.request(PreviewSource, { alias: 'ledger', limit: 10, filters: [{ column: 'paid', op: '=', value: true }] })
  t.same(preview.rows, [
    { invoice_id: 'INV-1', amount: '100.50', issued: '2024-01-31', paid: true, created_at: '2024-01-31T10:00:00Z', lines: '2' },
    { invoice_id: 'INV-3', amount: '99.99', issued: '2024-02-15', paid: true, created_at: null, lines: '3' }
  ])
  t.equal((await resolveAsWorker(bus, 'ledger')).uri, uri, 'a worker gets the real URI, sealed to it')

  const outputs = JSON.stringify([registered, await bus.request(GetSource, { alias: 'ledger' }), await bus.request(ListSources, {}), preview])
  const stored = JSON.stringify((await sql`SELECT * FROM ${sql.id(schema, 'sources')}`.execute(database.db)).rows)
  for (const part of keyParts(server)) {
    t.notOk(outputs.includes(part), 'no API output carries the key')
    t.notOk(stored.includes(part), 'the stored row carries it sealed only')
  }
})

t.test('a BigQuery source that cannot be read is registered without columns, with the coded reason and no key', async (t) => {
  const server = await bigQuery(t)
  server.addTable('erp', 'payroll', { schema: FIELDS, rows: [], forbidden: true })
  server.addTable('erp', 'orders', { schema: [...FIELDS, { name: 'items', type: 'RECORD', mode: 'REPEATED', fields: [{ name: 'sku', type: 'STRING' }] }], rows: [] })
  server.addQuery('SELECT amount FROM nowhere', { error: { status: 404, reason: 'notFound', message: 'Not found: Table kalla-test:erp.nowhere was not found in location US' } })
  server.addQuery('SELECT amount FROM', { error: { status: 400, reason: 'invalidQuery', message: 'Syntax error: Unexpected end of script at [1:19]' } })
  const { bus } = await startSources(t)
  const cases = [
    { alias: 'bad_key', uri: server.uri({ dataset: 'erp', table: 'invoices' }, server.unknownKey()), code: 'SOURCES_UNREACHABLE', message: /^BigQuery refused the service-account key of kalla-test\/erp \(invalid_grant: Invalid JWT Signature\)/ },
    { alias: 'no_table', uri: server.uri({ dataset: 'erp', table: 'missing' }), code: 'SOURCES_QUERY_FAILED', message: /^The table erp\.missing does not exist in kalla-test\/erp/ },
    { alias: 'denied', uri: server.uri({ dataset: 'erp', table: 'payroll' }), code: 'SOURCES_UNREACHABLE', message: /^The service account may not read the table erp\.payroll in kalla-test\/erp \(Access Denied/ },
    { alias: 'nested', uri: server.uri({ dataset: 'erp', table: 'orders' }), code: 'SOURCES_QUERY_FAILED', message: /^The column items is a REPEATED \(array\) RECORD field/ },
    { alias: 'gone', uri: server.uri({ dataset: 'erp', query: 'SELECT amount FROM nowhere' }), code: 'SOURCES_QUERY_FAILED', message: /^A table in the source query does not exist in kalla-test\/erp \(Not found: Table kalla-test:erp\.nowhere/ },
    { alias: 'broken', uri: server.uri({ dataset: 'erp', query: 'SELECT amount FROM' }), code: 'SOURCES_QUERY_FAILED', message: /^The BigQuery source query failed: Syntax error: Unexpected end of script at \[1:19\]/ }
  ]
  for (const c of cases) {
    const registered = await bus.request(RegisterSource, { alias: c.alias, type: 'bigquery', uri: c.uri })
    t.same(registered.columns, [], `${c.alias}: no columns`)
    t.equal(registered.problem?.code, c.code, `${c.alias}: the reason's code`)
    t.match(registered.problem?.message, c.message, `${c.alias}: the reason`)
    const tested = await bus.request(TestSource, { alias: c.alias })
    t.equal(tested.ok, false)
    const answers = JSON.stringify([registered, tested])
    t.notOk(keyParts(server).some((part) => answers.includes(part)), `${c.alias}: no key in the answers`)
  }
  t.equal(await errorCode(bus.request(PreviewSource, { alias: 'no_table', limit: 5 })), 'SOURCES_QUERY_FAILED')
  const fixed = await bus.request(UpdateSource, { alias: 'no_table', uri: server.uri({ dataset: 'erp', table: 'invoices' }) })
  t.equal(fixed.problem, undefined)
  t.equal(fixed.columns.length, 6)
  t.equal(await errorCode(bus.request(RegisterSource, { alias: 'bad_uri', type: 'bigquery', uri: 'bigquery://kalla-test/erp' })), 'SOURCES_URI_INVALID')
})
