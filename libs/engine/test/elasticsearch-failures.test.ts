import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { isEngineError, runJob } from '../src/index.ts'
import { fileJob, INVOICES_CSV, tempDir, writeText } from './fixtures.ts'
import { PAYMENTS, PAYMENTS_MAPPING, standIn } from './elasticsearch/es-fixtures.ts'

async function failure (t: Test, uri: string): Promise<{ code: string, message: string, dir: string }> {
  const dir = await tempDir(t)
  const job = fileJob(dir, await writeText(dir, 'inv.csv', INVOICES_CSV), '', {}, [{}, { type: 'elasticsearch', uri }])
  const error = await runJob(job).then(() => undefined, (e: unknown) => e)
  if (!isEngineError(error)) throw new Error(`expected an engine error, got ${String(error)}`)
  return { code: error.code, message: error.message, dir }
}

t.test('a failure in the middle of the read fails the run cleanly: coded, the point in time closed, nothing written', async (t) => {
  const es = await standIn(t)
  es.addIndex('payments', PAYMENTS_MAPPING, PAYMENTS)
  es.failSearchAfter(2)
  const { code, message, dir } = await failure(t, `${es.url}/payments?page_size=1`)
  t.equal(code, 'ENGINE_SOURCE_UNREACHABLE')
  t.match(message, /^payments: reading the index payments from 127\.0\.0\.1:\d+\/payments failed: the cluster answered 500 \(all shards failed: node left the cluster\)\.$/)
  t.same(es.openPits(), [], 'the point in time is closed')
  t.equal(es.requests.filter((r) => r === 'POST /_search').length, 3, 'two pages, then the failing one')
  t.same(await readdir(join(dir, 'out')).catch(() => []), [], 'no results were written')
})

t.test('a nested field is refused by name', async (t) => {
  const es = await standIn(t)
  es.addIndex('orders', { properties: { order_id: { type: 'keyword' }, lines: { type: 'nested', properties: { sku: { type: 'keyword' } } } } }, [])
  const { code, message } = await failure(t, `${es.url}/orders`)
  t.equal(code, 'ENGINE_SOURCE_UNSUPPORTED')
  t.match(message, /^payments: the field lines of the index orders is nested/)
})

t.test('bad credentials, a missing index, permission denied and a failing query are coded and never show the secret', async (t) => {
  const es = await standIn(t, { users: { kalla: 's3cret-pw' }, apiKeys: ['a2FsbGE6a2V5LXMzY3JldA=='], forbidden: ['payroll'] })
  es.addIndex('payments', PAYMENTS_MAPPING, PAYMENTS)
  es.addIndex('payroll', PAYMENTS_MAPPING, PAYMENTS)
  const host = es.url.replace('http://', '')
  const attempt = async (uri: string): Promise<{ code: string, message: string }> => {
    const { code, message } = await failure(t, uri)
    t.notMatch(message, /s3cret|wrong-pw|a2FsbGE6|d3Jvbmc/, 'no credential in the message')
    return { code, message }
  }
  t.match(await attempt(`http://kalla:wrong-pw@${host}/payments`), { code: 'ENGINE_SOURCE_AUTH_FAILED', message: /refused the user name and password or API key/ })
  t.match(await attempt(`http://${host}/payments?api_key=d3Jvbmc6a2V5`), { code: 'ENGINE_SOURCE_AUTH_FAILED' })
  t.match(await attempt(`http://${host}/payments`), { code: 'ENGINE_SOURCE_AUTH_FAILED' }, 'no credentials at all')
  t.match(await attempt(`http://kalla:s3cret-pw@${host}/invoices_2019`), { code: 'ENGINE_SOURCE_NOT_FOUND', message: /the index invoices_2019 does not exist on 127\.0\.0\.1:\d+\.$/ })
  t.match(await attempt(`http://${host}/payroll?api_key=a2FsbGE6a2V5LXMzY3JldA%3D%3D`), { code: 'ENGINE_SOURCE_AUTH_FAILED', message: /may not read the index payroll .*is unauthorized for user \[kalla\].*Grant them the read/ })
  const long = `no_such_query_${'x'.repeat(400)}`
  const failed = await attempt(`http://kalla:s3cret-pw@${host}/payments?query=${encodeURIComponent(JSON.stringify({ [long]: {} }))}`)
  t.equal(failed.code, 'ENGINE_SOURCE_QUERY_FAILED')
  t.match(failed.message, /failed \(unknown query \[no_such_query_x+…\)\. Check the query= or q= of the source URI\.$/)
  t.ok(failed.message.length < 450, 'the server\'s message is trimmed')
  t.same(es.openPits(), [], 'every point in time opened was closed')
})

t.test('an unreachable cluster and a bad URI are coded', async (t) => {
  t.match(await failure(t, 'http://kalla:s3cret@127.0.0.1:1/payments'), { code: 'ENGINE_SOURCE_UNREACHABLE', message: /^payments: cannot connect to the Elasticsearch cluster 127\.0\.0\.1:1\/payments/ })
  t.match(await failure(t, 'http://127.0.0.1:9200/'), { code: 'ENGINE_SOURCE_URI_INVALID', message: /must end with the index to read/ })
  t.match(await failure(t, 'http://127.0.0.1:9200/p?query=%7Bnope'), { code: 'ENGINE_SOURCE_URI_INVALID', message: /is not JSON/ })
  t.match(await failure(t, 'http://127.0.0.1:9200/p?q=a&query=%7B%7D'), { code: 'ENGINE_SOURCE_URI_INVALID', message: /both query= and q=/ })
})

t.test('a value that does not fit its field\'s type fails the read, naming the field, the document and the value', async (t) => {
  const es = await standIn(t)
  es.addIndex('payments', { properties: { payment_id: { type: 'keyword' }, attempts: { type: 'long' } } }, [
    { _id: 'P1', source: '{"payment_id":"P1","attempts":1}' },
    { _id: 'P2', source: '{"payment_id":"P2","attempts":[1,2]}' }
  ])
  t.match(await failure(t, `${es.url}/payments`), { code: 'ENGINE_COLUMN_VALUES_INVALID', message: 'payments: the field attempts of the document P2 holds "["1","2"]", which is not a long value (BIGINT). Fix the documents or the field\'s mapping.' })
})
