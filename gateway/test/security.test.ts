import t from 'tap'
import WebSocket from 'ws'
import { ListRuns } from '@kalla/proto'
import { authHeaders, errorCode, graphql, TEST_ADMIN_KEY, watch, wsClient } from '@kalla/testing'
import { corsOrigins, loadGatewayConfig, trustProxy } from '../src/config.ts'
import { startGateway } from './harness.ts'

const ALLOWED = 'https://app.kalla.test'
const FOREIGN = 'https://evil.example'

const { bus, url } = await startGateway(t, { KALLA_CORS_ORIGINS: `${ALLOWED}, http://localhost:5173`, GATEWAY_GRAPHIQL: 'true' })
await bus.serve(ListRuns, () => ({ runs: [] }), { queue: 'runs' })

/** Opens a websocket on /graphql as a browser page of `origin` would, and says how the handshake went. */
async function handshake (base: string, origin?: string): Promise<{ opened: boolean, status?: number }> {
  return await new Promise((resolve) => {
    const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', origin === undefined ? {} : { origin })
    socket.on('open', () => { socket.close(); resolve({ opened: true }) })
    socket.on('unexpected-response', (_request, response) => { resolve({ opened: false, status: response.statusCode }); socket.terminate() })
    socket.on('error', () => { resolve({ opened: false }) })
  })
}

t.test('CORS answers preflights for listed origins only, without credentials', async (t) => {
  const preflight = async (origin: string): Promise<Response> => await fetch(`${url}/graphql`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } })
  const allowed = await preflight(ALLOWED)
  t.equal(allowed.status, 204)
  t.equal(allowed.headers.get('access-control-allow-origin'), ALLOWED)
  t.match(allowed.headers.get('access-control-allow-headers') ?? '', /authorization/)
  t.equal(allowed.headers.get('access-control-allow-credentials'), null, 'keys travel in a header, never in cookies')
  const foreign = await preflight(FOREIGN)
  t.equal(foreign.headers.get('access-control-allow-origin'), null, 'another origin gets no permission')
  const answer = await fetch(`${url}/graphql`, { method: 'POST', headers: { origin: ALLOWED, 'content-type': 'application/json', ...authHeaders() }, body: JSON.stringify({ query: '{ runs { runId } }' }) })
  t.equal(answer.status, 200)
  t.equal(answer.headers.get('access-control-allow-origin'), ALLOWED, 'the answer itself may be read by the listed page')
})

t.test('with no origins configured, no page of another origin may read an answer', async (t) => {
  const closed = await startGateway(t)
  const preflight = await fetch(`${closed.url}/graphql`, { method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'POST' } })
  t.equal(preflight.headers.get('access-control-allow-origin'), null)
  t.same(await handshake(closed.url, ALLOWED), { opened: false, status: 403 }, 'nor open the websocket')
  t.same(await handshake(closed.url), { opened: true }, 'a client that sends no Origin still may')
})

t.test('every answer carries security headers; the API allows no scripts, GraphiQL and the console only their own', async (t) => {
  const api = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeaders() }, body: JSON.stringify({ query: '{ runs { runId } }' }) })
  t.match(api.headers.get('content-security-policy'), /default-src 'none'/)
  t.match(api.headers.get('content-security-policy'), /frame-ancestors 'none'/)
  t.equal(api.headers.get('x-content-type-options'), 'nosniff')
  t.equal(api.headers.get('x-frame-options'), 'SAMEORIGIN')
  t.ok(api.headers.get('strict-transport-security'), 'HSTS for when TLS is in front')
  const refused = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  t.equal(refused.status, 401)
  t.match(refused.headers.get('content-security-policy'), /default-src 'none'/, 'refusals too')
  const page = await fetch(`${url}/graphiql`)
  t.equal(page.status, 200)
  const csp = page.headers.get('content-security-policy') ?? ''
  t.match(csp, /script-src 'self'(;|$)/, 'GraphiQL loads only its bundled scripts')
  const console = await fetch(`${url}/`)
  t.match(console.headers.get('content-security-policy'), /default-src 'self';.*script-src 'self';.*style-src 'self';.*connect-src 'self'/)
  t.match(csp, /connect-src 'self'/)
  t.notMatch(csp, /script-src[^;]*unsafe-inline/, 'no inline scripts')
})

t.test('the websocket and uploads refuse pages of other origins; same-origin, listed and non-browser clients pass', async (t) => {
  const host = new URL(url).host
  t.same(await handshake(url, FOREIGN), { opened: false, status: 403 }, 'a foreign page')
  t.same(await handshake(url, 'null'), { opened: false, status: 403 }, 'a sandboxed page (Origin: null)')
  t.same(await handshake(url, `http://${host}`), { opened: true }, 'the gateway\'s own origin')
  t.same(await handshake(url, ALLOWED), { opened: true }, 'a listed origin')
  t.same(await handshake(url), { opened: true }, 'no Origin (Node, CLI, SDKs)')
  const form = new FormData()
  form.append('file', new Blob(['id\n1\n']), 'x.csv')
  const upload = await fetch(`${url}/uploads`, { method: 'POST', body: form, headers: { origin: FOREIGN, ...authHeaders() } })
  t.equal(upload.status, 403)
  t.equal((await upload.json() as { error: { code: string } }).error.code, 'GATEWAY_ORIGIN_FORBIDDEN')
  const query = await fetch(`${url}/graphql`, { method: 'POST', headers: { origin: FOREIGN, 'content-type': 'application/json', ...authHeaders() }, body: JSON.stringify({ query: '{ runs { runId } }' }) })
  t.equal(query.status, 403)
  t.equal((await query.json() as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code, 'GATEWAY_ORIGIN_FORBIDDEN')
})

t.test('a foreign page receives no subscription data even with a valid key', async (t) => {
  // A page of another site is refused at the handshake, before any message is read or sent.
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { origin: FOREIGN })
  const messages: string[] = []
  socket.on('message', (data: Buffer) => { messages.push(data.toString()) })
  socket.on('error', () => {})
  const status = await new Promise<number | undefined>((resolve) => {
    socket.on('unexpected-response', (_request, response) => { resolve(response.statusCode); socket.terminate() })
    socket.on('open', () => { socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${TEST_ADMIN_KEY}` } })); resolve(undefined) })
  })
  t.equal(status, 403)
  t.same(messages, [])
})

t.test('rate limits answer 429 with Retry-After and a code, per key and per address', async (t) => {
  const limited = await startGateway(t, { GATEWAY_RATE_LIMIT_MAX: '3', GATEWAY_RATE_LIMIT_ADDRESS_MAX: '8', GATEWAY_RATE_LIMIT_WINDOW_S: '60' })
  await limited.bus.serve(ListRuns, () => ({ runs: [] }), { queue: 'runs' })
  const statuses: number[] = []
  for (let i = 0; i < 3; i++) statuses.push((await graphql(limited.url, '{ runs { runId } }')).status)
  t.same(statuses, [200, 200, 200])
  const over = await fetch(`${limited.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeaders() }, body: JSON.stringify({ query: '{ runs { runId } }' }) })
  t.equal(over.status, 429)
  t.ok(Number(over.headers.get('retry-after')) > 0 && Number(over.headers.get('retry-after')) <= 60, `Retry-After: ${over.headers.get('retry-after')}`)
  t.equal((await over.json() as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code, 'GATEWAY_RATE_LIMITED')
  const download = await fetch(`${limited.url}/runs/r1/results/matched`, { headers: authHeaders() })
  t.same([download.status, (await download.json() as { error: { code: string } }).error.code], [429, 'GATEWAY_RATE_LIMITED'], 'the limit is the key\'s, on every route')
  // Without a key, only the address limit applies: 8 a window in all, 5 of them used above.
  const anonymous: number[] = []
  for (let i = 0; i < 4; i++) anonymous.push((await fetch(`${limited.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status)
  t.same(anonymous, [401, 401, 401, 429], 'guessing keys is limited by address')
})

t.test('GraphiQL is off unless asked for; introspection is off for the scaled gateway and in production; both can be set', async (t) => {
  const base = { KALLA_ADMIN_KEY: TEST_ADMIN_KEY }
  const pick = (c: { GATEWAY_GRAPHIQL?: boolean, GATEWAY_INTROSPECTION?: boolean }) => [c.GATEWAY_GRAPHIQL, c.GATEWAY_INTROSPECTION]
  t.same(pick(loadGatewayConfig(base)), [true, true], 'single mode on a developer machine: introspection and the bundled GraphiQL')
  t.same(pick(loadGatewayConfig({ ...base, NODE_ENV: 'production' })), [false, false])
  t.same(pick(loadGatewayConfig(base, { mode: 'scaled' })), [false, false])
  t.same(pick(loadGatewayConfig({ ...base, GATEWAY_GRAPHIQL: 'true', GATEWAY_INTROSPECTION: 'true' }, { mode: 'scaled' })), [true, true])
  t.same(corsOrigins({ KALLA_CORS_ORIGINS: ' https://a.example ,http://localhost:3000' }), ['https://a.example', 'http://localhost:3000'])
  t.throws(() => loadGatewayConfig({ ...base, KALLA_CORS_ORIGINS: '*' }), /KALLA_CORS_ORIGINS/, 'a wildcard is not an origin')
  t.same([trustProxy({}), trustProxy({ GATEWAY_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' })], [false, ['10.0.0.0/8', '127.0.0.1']])
  const oneHop = trustProxy({ GATEWAY_TRUST_PROXY: '1' }) as (address: string, hop: number) => boolean
  t.same([oneHop('10.0.0.1', 0), oneHop('10.0.0.2', 1)], [true, false], 'a hop count trusts that many proxies')

  const locked = await startGateway(t, { GATEWAY_GRAPHIQL: 'false', GATEWAY_INTROSPECTION: 'false' })
  await locked.bus.serve(ListRuns, () => ({ runs: [] }), { queue: 'runs' })
  const introspection = await graphql(locked.url, '{ __schema { types { name } } }')
  t.same([introspection.status, introspection.errors?.[0]?.extensions?.code], [400, 'GATEWAY_INTROSPECTION_DISABLED'])
  const type = await graphql(locked.url, '{ __type(name: "Run") { name } }')
  t.equal(type.errors?.[0]?.extensions?.code, 'GATEWAY_INTROSPECTION_DISABLED')
  const typename = await graphql(locked.url, '{ __typename runs { __typename runId } }')
  t.same([typename.status, typename.errors], [200, undefined], '__typename stays allowed')
  const client = wsClient(locked.url)
  t.teardown(() => client.dispose())
  const subscription = watch(client, 'runUpdated', 'subscription { runUpdated { runId __type(name: "Run") { name } } }')
  t.ok(['GATEWAY_INTROSPECTION_DISABLED', 'GRAPHQL_VALIDATION_FAILED'].includes(String(errorCode((await subscription.ended).error))), 'subscriptions are checked too')
  const page = await fetch(`${locked.url}/graphiql`, { headers: authHeaders() })
  t.equal(page.status, 404, 'no GraphiQL page')
  const open = await graphql(url, '{ __schema { queryType { name } } }')
  t.same(open.data, { __schema: { queryType: { name: 'Query' } } }, 'introspection where it is on')
})
