import t from 'tap'
import { GetSource, ListSources, PreviewSource, RegisterSource, SourceColumns, TestSource, UpdateSource } from '@kalla/proto'
import { startElasticsearchServer } from '@kalla/testing'
import { errorCode, resolveAsWorker, startSources } from './helpers.ts'

const PASSWORD = 'es-horse-battery-7'
const API_KEY = 'a2FsbGE6YXBpLWtleS1zZWNyZXQ='
const es = await startElasticsearchServer({ users: { reader: PASSWORD }, apiKeys: [API_KEY], forbidden: ['payroll'] })
t.teardown(es.close)
const host = es.url.replace('http://', '')
const PAYMENTS = {
  properties: {
    payment_id: { type: 'keyword' },
    amount: { type: 'scaled_float', scaling_factor: 100 },
    fee: { type: 'keyword' },
    sequence: { type: 'long' },
    booked: { type: 'date', format: 'dd.MM.yyyy' },
    payer: { properties: { name: { type: 'text' } } }
  }
}
es.addIndex('payments', PAYMENTS, [
  { _id: 'P1', source: '{"payment_id":"P1","amount":98765432109876543.21,"fee":"0.125","sequence":9223372036854775807,"booked":"31.01.2024","payer":{"name":"Ann"}}' },
  { _id: 'P2', source: '{"payment_id":"P2","amount":10.5,"fee":"1","sequence":2,"booked":"01.02.2024"}' }
])
es.addIndex('payroll', PAYMENTS, [])
const basic = `http://reader:${PASSWORD}@${host}/payments`

t.test('an Elasticsearch source is registered with the columns a run gives it, and tested, previewed and resolved', async (t) => {
  const { bus } = await startSources(t)
  const registered = await bus.request(RegisterSource, { alias: 'bank', type: 'elasticsearch', uri: `${basic}?page_size=1` })
  t.equal(registered.problem, undefined)
  t.same(registered.columns, [
    { name: '_id', type: 'VARCHAR' },
    { name: 'amount', type: 'DECIMAL(38,2)' },
    { name: 'booked', type: 'DATE' },
    { name: 'fee', type: 'DECIMAL(18,3)' },
    { name: 'payer.name', type: 'VARCHAR' },
    { name: 'payment_id', type: 'VARCHAR' },
    { name: 'sequence', type: 'BIGINT' }
  ])
  t.equal(registered.uri, `http://reader:***@${host}/payments?page_size=1`, 'the password is never shown')
  t.same(await bus.request(TestSource, { alias: 'bank' }), { ok: true, message: `Connected to ${host}/payments and read the index payments (7 columns).` })
  t.same((await bus.request(SourceColumns, { alias: 'bank' })).columns, registered.columns)
  const preview = await bus.request(PreviewSource, { alias: 'bank', limit: 5, filters: [{ column: 'amount', op: '>', value: '100' }] })
  t.same(preview.rows, [{ _id: 'P1', amount: '98765432109876543.21', booked: '2024-01-31', fee: '0.125', 'payer.name': 'Ann', payment_id: 'P1', sequence: '9223372036854775807' }])
  t.equal((await resolveAsWorker(bus, 'bank')).uri, `${basic}?page_size=1`, 'a worker gets the real URI')
  t.notMatch(JSON.stringify(await bus.request(ListSources, {})), PASSWORD)
  t.same(es.openPits(), [])
})

t.test('an API key in the URI is used and never shown', async (t) => {
  const { bus } = await startSources(t)
  const uri = `http://${host}/payments?api_key=${encodeURIComponent(API_KEY)}`
  const registered = await bus.request(RegisterSource, { alias: 'bank', type: 'elasticsearch', uri })
  t.equal(registered.columns.length, 7)
  t.equal((await bus.request(GetSource, { alias: 'bank' })).uri, `http://${host}/payments?api_key=***`)
})

t.test('bad credentials, a missing index, permission denied and a failing query: coded, named, no secret', async (t) => {
  const { bus } = await startSources(t)
  const cases = [
    { alias: 'wrong', uri: `http://reader:wrong-${PASSWORD}@${host}/payments`, code: 'SOURCES_UNREACHABLE', says: /refused the user name and password or API key/ },
    { alias: 'missing', uri: `http://reader:${PASSWORD}@${host}/ledger_2019`, code: 'SOURCES_QUERY_FAILED', says: /^The index ledger_2019 does not exist on 127\.0\.0\.1:\d+\.$/ },
    { alias: 'denied', uri: `http://reader:${PASSWORD}@${host}/payroll`, code: 'SOURCES_UNREACHABLE', says: /^The credentials in the source URI may not read the index payroll/ },
    { alias: 'failing', uri: `${basic}?query=${encodeURIComponent('{"fuzzy_bogus":{}}')}`, code: 'SOURCES_QUERY_FAILED', says: /source query on .* failed \(unknown query \[fuzzy_bogus\]\)/ },
    { alias: 'down', uri: `http://reader:${PASSWORD}@127.0.0.1:1/payments`, code: 'SOURCES_UNREACHABLE', says: /^Cannot connect to the Elasticsearch cluster 127\.0\.0\.1:1\/payments/ }
  ]
  for (const c of cases) {
    const registered = await bus.request(RegisterSource, { alias: c.alias, type: 'elasticsearch', uri: c.uri })
    t.same(registered.columns, [], `${c.alias}: saved without columns`)
    t.equal(registered.problem?.code, c.code, `${c.alias}: the reason's code`)
    t.match(registered.problem?.message, c.says, `${c.alias}: the reason`)
    t.notMatch(JSON.stringify(registered), PASSWORD, `${c.alias}: no password in the answer`)
    const tested = await bus.request(TestSource, { alias: c.alias })
    t.equal(tested.ok, false)
    t.notMatch(tested.message, PASSWORD)
  }
  t.equal(await errorCode(bus.request(SourceColumns, { alias: 'missing' })), 'SOURCES_QUERY_FAILED')
  t.equal(await errorCode(bus.request(RegisterSource, { alias: 'bad', type: 'elasticsearch', uri: `http://${host}/` })), 'SOURCES_URI_INVALID')
  const fixed = await bus.request(UpdateSource, { alias: 'wrong', uri: basic })
  t.equal(fixed.columns.length, 7, 'fixing the URI reads the columns')
  t.same(es.openPits(), [])
})
