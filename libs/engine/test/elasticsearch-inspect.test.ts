import t from 'tap'
import { describeSource, previewSource } from '../src/index.ts'
import { numbersAsText } from '../src/stage/elasticsearch/numbers-as-text.ts'
import { parseElasticsearchUri } from '../src/stage/elasticsearch/uri.ts'
import { strptimePattern } from '../src/stage/elasticsearch/dates.ts'
import { PAYMENTS, PAYMENTS_MAPPING, standIn } from './elasticsearch/es-fixtures.ts'

t.test('describe gives the columns a run stages and the exact document count; preview shows exact values', async (t) => {
  const es = await standIn(t)
  es.addIndex('payments', PAYMENTS_MAPPING, PAYMENTS)
  const spec = { type: 'elasticsearch' as const, uri: `${es.url}/payments?page_size=2`, alias: 'payments' }
  const described = await describeSource(spec)
  t.same(described.rows, { count: 4, exact: true })
  t.same(described.location, { display: `${es.url.replace('http://', '')}/payments`, what: 'the index payments' })
  t.same(described.columns.find((c) => c.name === 'paid_amount'), { name: 'paid_amount', type: 'DECIMAL(38,2)' })
  t.same(described.typings?.find((c) => c.name === 'value_date'), { name: 'value_date', how: 'source', type: 'DATE', format: 'dd/MM/yyyy||yyyy-MM-dd' })
  const preview = await previewSource(spec, { limit: 10, filters: [{ column: 'paid_amount', op: '>', value: '50' }] })
  t.same(preview.rows.map((r) => [r._id, r.paid_amount, r.fee, r.attempts, r.settled_at, r.value_date, r['customer.name']]), [
    ['P1', '100.02', '12345678901234567.891', '9007199254740993', '2024-01-05T08:00:00Z', '2024-01-05', 'Ann "A" Lee'],
    ['P2', '12345678901234567.89', '0.100', '-9223372036854775808', '2024-01-05T08:00:00Z', '2024-01-06', 'Bo'],
    ['P3', '99.99', null, '3', '2024-01-07T00:00:00Z', '2023-12-31', null]
  ])
  t.same(es.openPits(), [])
})

t.test('q= and query= select documents, in one point in time', async (t) => {
  const es = await standIn(t)
  es.addIndex('payments', PAYMENTS_MAPPING, PAYMENTS)
  const ids = async (query: string): Promise<unknown[]> => (await previewSource({ type: 'elasticsearch', uri: `${es.url}/payments?${query}` }, { limit: 10 })).rows.map((r) => r._id)
  t.same(await ids('q=customer.country:DE'), ['P1'])
  t.same(await ids(`query=${encodeURIComponent('{"bool":{"must_not":{"term":{"payment_id":"P1"}}}}')}`), ['P2', 'P3', 'P4'])
  t.same(await ids(`query=${encodeURIComponent('{"query":{"range":{"booked_on":{"gte":"2024-01-07"}}}}')}`), ['P3', 'P4'], 'a whole search body is accepted too')
})

t.test('an empty index stages as an empty table with its mapped columns', async (t) => {
  const es = await standIn(t)
  es.addIndex('payments', PAYMENTS_MAPPING, [])
  const described = await describeSource({ type: 'elasticsearch', uri: `${es.url}/payments` })
  t.same(described.rows, { count: 0, exact: true })
  t.equal(described.columns.length, 13)
  t.same(described.columns.find((c) => c.name === 'booked_on'), { name: 'booked_on', type: 'DATE' })
})

t.test('numbers become strings of their exact text; strings, escapes and literals are left alone', async (t) => {
  const json = '{"a":12345678901234567.891,"b":"x\\"1.5\\\\","c":[-0.10,2e-3,true,null],"d":"\\\\","e":9007199254740993}'
  t.equal(numbersAsText(Buffer.from(json)).bytes.toString(), '{"a":"12345678901234567.891","b":"x\\"1.5\\\\","c":["-0.10","2e-3",true,null],"d":"\\\\","e":"9007199254740993"}')
  const page = '{"pit_id":"p1","_shards":{"failures":[{"shard":0}]},"hits":{"total":{"value":2},"hits":[{"_id":"a","_source":{"hits":[{"x":1}]},"sort":[0]},{"_id":"b","_source":{},"sort":[12345678901234567890]}]}}'
  const rewritten = numbersAsText(Buffer.from(page))
  t.equal(rewritten.hits, 2, 'the hits are counted, not shard failures or arrays inside a document')
  t.same(JSON.parse(rewritten.bytes.subarray(rewritten.lastHit.start, rewritten.lastHit.end).toString()), { _id: 'b', _source: {}, sort: ['12345678901234567890'] })
  t.equal(rewritten.bytes.subarray(rewritten.firstHit, rewritten.firstHit + 9).toString(), '{"_id":"a')
  const big = `[${Array.from({ length: 5000 }, (_, i) => i).join(',')}]`
  t.same(JSON.parse(numbersAsText(Buffer.from(big)).bytes.toString()), Array.from({ length: 5000 }, (_, i) => String(i)), 'the output grows as needed')
})

t.test('URI forms: elasticsearch:// is HTTPS, basic auth from the user info, an API key from api_key=, a path prefix kept', async (t) => {
  t.match(parseElasticsearchUri('elasticsearch://reader:p%40ss@es.example.com:9200/payments', 'p'), { node: 'https://es.example.com:9200', index: 'payments', auth: { username: 'reader', password: 'p@ss' }, query: { match_all: {} }, pageSize: 5000 })
  t.match(parseElasticsearchUri('http://es:9200/search/payments-*?api_key=a2V5&page_size=100', 'p'), { node: 'http://es:9200/search', index: 'payments-*', auth: { apiKey: 'a2V5' }, pageSize: 100 })
  t.throws(() => parseElasticsearchUri('http://es:9200/payments?size=10', 'p'), { code: 'ENGINE_SOURCE_URI_INVALID', message: /unknown parameters \(size\)/ })
  t.throws(() => parseElasticsearchUri('http://es:9200/payments?page_size=20000', 'p'), { code: 'ENGINE_SOURCE_URI_INVALID' })
})

t.test('Java date patterns become strptime patterns; unknown letters are refused', async (t) => {
  t.equal(strptimePattern('dd/MM/yyyy'), '%d/%m/%Y')
  t.equal(strptimePattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX"), '%Y-%m-%dT%H:%M:%S.%g%z')
  t.equal(strptimePattern('EEE, dd MMM yyyy'), undefined)
})
