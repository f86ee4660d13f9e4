import { readFile } from 'node:fs/promises'
import t, { type Test } from 'tap'
import { redactUri, scrubSecrets } from '@kalla/proto'
import { freePort, startBigQueryServer, type BigQueryServer } from '@kalla/testing'
import { checkSourceUri, describeSource, isEngineError, previewSource, runJob } from '../src/index.ts'
import { fileJob, INVOICES_CSV, tempDir, writeText } from './fixtures.ts'

const FIELDS = [
  { name: 'payment_id', type: 'STRING' },
  { name: 'reference_number', type: 'STRING' },
  { name: 'paid_amount', type: 'NUMERIC', precision: '12', scale: '2' },
  { name: 'posted_at', type: 'TIMESTAMP' },
  { name: 'big', type: 'INT64' }
]
const ROWS = [
  ['P1', 'INV-1', '100.02', '1704448800000000', '9007199254740993'],
  ['P2', 'INV-2', '250.53', '1704535200250000', '2'],
  ['P3', 'INV-3', '99.99', null, '3'],
  ['P4', 'INV-9', '5.00', '0', null]
]

async function bigQuery (t: Test): Promise<BigQueryServer> {
  const server = await startBigQueryServer({ pageRows: 3 })
  t.teardown(server.close)
  server.addTable('finance', 'payments', { schema: FIELDS, rows: ROWS })
  return server
}

async function failure (promise: Promise<unknown>): Promise<{ code: string, message: string }> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  if (!isEngineError(error)) throw new Error(`expected an engine error, got ${String(error)}`)
  return error
}

t.test('a table is described from its metadata with the types a run gives it, and its row count', async (t) => {
  const server = await bigQuery(t)
  const uri = server.uri({ dataset: 'finance', table: 'payments' })
  const described = await describeSource({ type: 'bigquery', uri, alias: 'payments' })
  t.same(described.rows, { count: 4, exact: true })
  t.same(described.location, { display: 'kalla-test/finance', what: 'the table finance.payments' })
  t.notOk(server.requests.some((r) => r.path.endsWith('/data')), 'no rows were read')
  const dir = await tempDir(t)
  const done = await runJob(fileJob(dir, await writeText(dir, 'inv.csv', INVOICES_CSV), '', {}, [{}, { type: 'bigquery', uri }]))
  const summary = JSON.parse(await readFile(done.outputs.summary, 'utf8')) as { sources: Array<{ columns: Array<{ name: string, type: string }> }> }
  t.same(summary.sources[1]?.columns.map((c) => ({ name: c.name, type: c.type })), described.columns, 'the same types as the run staged')
})

t.test('a query is described by a dry run, which reads no rows', async (t) => {
  const server = await bigQuery(t)
  server.addQuery('SELECT payment_id, big FROM payments', { schema: [FIELDS[0]!, FIELDS[4]!], rows: [] })
  const described = await describeSource({ type: 'bigquery', uri: server.uri({ dataset: 'finance', query: 'SELECT payment_id, big FROM payments' }), alias: 'q' })
  t.same(described.columns, [{ name: 'payment_id', type: 'VARCHAR' }, { name: 'big', type: 'BIGINT' }])
  t.equal(described.rows, undefined)
  t.same(server.requests.map((r) => `${r.method} ${r.path}`), ['POST /bigquery/v2/projects/kalla-test/queries'])
})

t.test('a preview gives the first rows that pass bound filters, JSON-safe', async (t) => {
  const server = await bigQuery(t)
  const spec = { type: 'bigquery' as const, uri: server.uri({ dataset: 'finance', table: 'payments' }), alias: 'payments' }
  const first = await previewSource(spec, { limit: 2 })
  t.same(first.rows, [
    { payment_id: 'P1', reference_number: 'INV-1', paid_amount: '100.02', posted_at: '2024-01-05T10:00:00Z', big: '9007199254740993' },
    { payment_id: 'P2', reference_number: 'INV-2', paid_amount: '250.53', posted_at: '2024-01-06T10:00:00.25Z', big: '2' }
  ], 'exact decimals and 64-bit integers as strings, timestamps ISO in UTC')
  t.equal(server.requests.filter((r) => r.path.endsWith('/data')).length, 1, 'two rows need one page')
  const filtered = await previewSource(spec, { limit: 5, filters: [{ column: 'PAID_AMOUNT', op: '<', value: '100' }] })
  t.same(filtered.rows.map((r) => r.payment_id), ['P3', 'P4'])
  t.same((await previewSource(spec, { limit: 5, filters: [{ column: 'payment_id', op: '=', value: "x' OR '1'='1" }] })).rows, [])
  t.equal((await failure(previewSource(spec, { limit: 5, filters: [{ column: 'nope', op: '=', value: 1 }] }))).code, 'ENGINE_FILTER_INVALID')
  t.equal((await failure(previewSource(spec, { limit: 5, filters: [{ column: 'paid_amount', op: '=', value: 'lots' }] }))).code, 'ENGINE_FILTER_INVALID')
})

t.test('bad credentials, a missing table, a denied table and a failing query are coded and show no key', async (t) => {
  const server = await bigQuery(t)
  server.addTable('finance', 'salaries', { schema: FIELDS, rows: [], forbidden: true })
  server.addQuery('SELEC 1', { error: { status: 400, reason: 'invalidQuery', message: `Syntax error: Expected end of input but got identifier "SELEC" at [1:1]${' and more'.repeat(100)}` } })
  const attempt = async (uri: string): Promise<{ code: string, message: string }> => {
    const error = await failure(describeSource({ type: 'bigquery', uri, alias: 'ledger' }))
    const secrets = [server.credentials.private_key, ...server.credentials.private_key.split('\n').filter((l) => l.length > 20 && !l.startsWith('-'))]
    t.notOk(secrets.some((secret) => error.message.includes(secret)), 'no part of the key in the message')
    t.notMatch(error.message, /credentials=[A-Za-z0-9%]/, 'never the value of credentials=')
    t.notMatch(JSON.stringify({ ...(error as { cause?: object }).cause }), /ya29\.|Bearer|private_key/, 'the cause holds no request, token or key')
    return error
  }
  t.match(await attempt(server.uri({ dataset: 'finance', table: 'payments' }, server.unknownKey())), { code: 'ENGINE_SOURCE_AUTH_FAILED', message: /^ledger: BigQuery refused the service-account key of kalla-test\/finance \(invalid_grant: Invalid JWT Signature\)/ })
  t.match(await attempt(server.uri({ dataset: 'finance', table: 'invoices' })), { code: 'ENGINE_SOURCE_NOT_FOUND', message: /^ledger: the table finance\.invoices does not exist in kalla-test\/finance \(Not found: Table kalla-test:finance\.invoices\)/ })
  t.match(await attempt(server.uri({ dataset: 'finance', table: 'salaries' })), { code: 'ENGINE_SOURCE_AUTH_FAILED', message: /^ledger: the service account may not read the table finance\.salaries .*Permission bigquery\.tables\.getData denied/ })
  const query = await attempt(server.uri({ dataset: 'finance', query: 'SELEC 1' }))
  t.match(query, { code: 'ENGINE_SOURCE_QUERY_FAILED', message: /^ledger: the BigQuery source query failed: Syntax error: Expected end of input but got identifier "SELEC" at \[1:1\]/ })
  t.ok(query.message.length < 400, 'a long server message is trimmed')
  const withoutKey = server.uri({ dataset: 'finance', table: 'payments' }).replace(/&?credentials=[^&]*/, '')
  t.match(await attempt(withoutKey), { code: 'ENGINE_SOURCE_AUTH_FAILED', message: /has no credentials=/ })
  const down = server.uri({ dataset: 'finance', table: 'payments' }).replace(server.url, `http://127.0.0.1:${await freePort()}`).replace(encodeURIComponent(server.url), encodeURIComponent(`http://127.0.0.1:${await freePort()}`))
  t.match(await attempt(down), { code: 'ENGINE_SOURCE_UNREACHABLE', message: /^ledger: reading from BigQuery kalla-test\/finance failed/ })
})

t.test('BigQuery URIs are checked before connecting, and their key is redacted everywhere', async (t) => {
  const server = await bigQuery(t)
  const bad = ['bigquery://kalla-test/finance', 'bigquery://kalla-test/finance?table=a&query=b', 'bigquery://kalla-test?table=payments', 'bigquery://kalla-test/finance?table=payments&credentials=bm90IGpzb24', 'bigquery://kalla-test/finance?table=payments&endpoint=ftp://x', 'postgres://kalla-test/finance?table=t']
  for (const uri of bad) {
    t.equal((await failure(Promise.resolve().then(() => { checkSourceUri({ type: 'bigquery', uri, alias: 'ledger' }) }))).code, 'ENGINE_SOURCE_URI_INVALID', uri)
  }
  const uri = server.uri({ dataset: 'finance', table: 'payments' })
  checkSourceUri({ type: 'bigquery', uri, alias: 'ledger' })
  const shown = redactUri(uri)
  t.match(shown, /^bigquery:\/\/kalla-test\/finance\?table=payments&credentials=\*\*\*&endpoint=/)
  const encoded = new URL(uri).searchParams.get('credentials')!
  t.equal(scrubSecrets(`failed for ${encoded}`, uri), 'failed for ***')
})
