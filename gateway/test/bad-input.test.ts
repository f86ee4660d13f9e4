import { request as httpRequest } from 'node:http'
import t from 'tap'
import { CreateUpload, ListRuns, ValidateRecipe } from '@kalla/proto'
import { authHeaders, graphql, watch, wsClient } from '@kalla/testing'
import { startGateway } from './harness.ts'

// Every kind of bad input the gateway is known to get: each answers a coded error, and the server stays up.
const { bus, storage, url } = await startGateway(t, { GATEWAY_BODY_MAX_BYTES: '65536', GATEWAY_UPLOAD_MAX_BYTES: '100000' })

let validations = 0
await bus.serve(ValidateRecipe, () => { validations++; return { valid: true, problems: [] } }, { queue: 'recipes' })
await bus.serve(ListRuns, () => ({ runs: [] }), { queue: 'runs' })
await bus.serve(CreateUpload, (file) => ({ upload_id: 'upl-1', filename: file.filename, format: 'csv' as const, columns: [{ name: 'id', type: 'BIGINT' }], size_bytes: file.size_bytes, key: file.key, created_at: '2026-11-27T08:00:00.000Z', expires_at: '2026-12-04T08:00:00.000Z' }), { queue: 'sources' })

const RECIPE = { recipeId: 'r1', name: 'R', matchSql: 'SELECT 1', left: { alias: 'a', type: 'FILE', schema: ['id'], primaryKey: ['id'] }, right: { alias: 'b', type: 'FILE', schema: ['id'], primaryKey: ['id'] } }

async function post (body: string, headers: Record<string, string> = {}): Promise<{ status: number, code: unknown, body: string }> {
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeaders(), ...headers }, body })
  const text = await response.text()
  const parsed = JSON.parse(text) as { errors?: Array<{ extensions?: { code?: string } }>, error?: { code?: string } }
  return { status: response.status, code: parsed.errors?.[0]?.extensions?.code ?? parsed.error?.code, body: text }
}

/** A multipart request written by hand, so it can be malformed, cut short or carry any file name. */
async function rawUpload (body: Buffer, { boundary = 'kalla-boundary', length = body.length, end = true } = {}): Promise<{ status: number, code?: string }> {
  return await new Promise((resolve, reject) => {
    const request = httpRequest(`${url}/uploads`, { method: 'POST', headers: { ...authHeaders(), 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(length) } }, (response) => {
      let text = ''
      response.on('data', (chunk: Buffer) => { text += chunk.toString() })
      response.on('end', () => { resolve({ status: response.statusCode ?? 0, code: (JSON.parse(text) as { error?: { code?: string } }).error?.code }) })
    })
    request.on('error', reject)
    request.write(body)
    // A client that stops sending mid-body and goes away.
    if (end) request.end(); else setTimeout(() => { request.destroy() }, 200)
  })
}

function part (filename: string, content: string, boundary = 'kalla-boundary'): Buffer {
  return Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n${content}\r\n--${boundary}--\r\n`)
}

t.test('oversized variables are refused with 413 before anything runs', async (t) => {
  const response = await post(JSON.stringify({ query: 'mutation ($input: RecipeInput!) { validateRecipe(input: $input) { valid } }', variables: { input: { ...RECIPE, matchSql: 'x'.repeat(70_000) } } }))
  t.same([response.status, response.code], [413, 'GATEWAY_BODY_TOO_LARGE'])
  t.equal(validations, 0)
})

t.test('1,000 aliased mutations in one request are refused before any runs', async (t) => {
  const aliases = Array.from({ length: 1000 }, (_, i) => `v${i}: validateRecipe(input: $input) { valid }`).join(' ')
  const response = await post(JSON.stringify({ query: `mutation ($input: RecipeInput!) { ${aliases} }`, variables: { input: RECIPE } }))
  t.equal(response.status, 400)
  t.ok(['GATEWAY_TOO_MANY_ROOT_FIELDS', 'GATEWAY_TOO_MANY_ALIASES', 'GATEWAY_QUERY_TOO_LARGE'].includes(String(response.code)), `refused as ${String(response.code)}`)
  t.equal(validations, 0, 'no mutation ran')
})

t.test('aliases, root fields and mutations each have their own limit', async (t) => {
  const rootFields = Array.from({ length: 21 }, (_, i) => `r${i}: runs { runId }`).join(' ')
  t.same(await codeOf(`{ ${rootFields} }`), [400, 'GATEWAY_TOO_MANY_ROOT_FIELDS'], '21 root fields')
  const nested = Array.from({ length: 51 }, (_, i) => `a${i}: runId`).join(' ')
  t.same(await codeOf(`{ runs { ${nested} } }`), [400, 'GATEWAY_TOO_MANY_ALIASES'], '51 aliases inside one field')
  // Each mutation costs GATEWAY_MUTATION_COST (2,000) of GATEWAY_MAX_COST (20,000).
  const mutations = (n: number): string => `mutation ($input: RecipeInput!) { ${Array.from({ length: n }, (_, i) => `v${i}: validateRecipe(input: $input) { valid }`).join(' ')} }`
  t.same(await codeOf(mutations(11), { input: RECIPE }), [400, 'GATEWAY_QUERY_TOO_COSTLY'], '11 mutations cost too much')
  t.equal(validations, 0)
  const allowed = await graphql(url, mutations(9), { input: RECIPE })
  t.equal(allowed.errors, undefined, '9 mutations are fine')
  t.equal(validations, 9)
})

t.test('batched operations are refused', async (t) => {
  const response = await post(JSON.stringify([{ query: '{ runs { runId } }' }, { query: '{ runs { runId } }' }]))
  t.same([response.status, response.code], [400, 'GATEWAY_BATCH_REFUSED'])
  const operations = Array.from({ length: 11 }, (_, i) => `query Q${i} { runs { runId } }`).join(' ')
  const many = await post(JSON.stringify({ query: operations, operationName: 'Q0' }))
  t.same([many.status, many.code], [400, 'GATEWAY_TOO_MANY_OPERATIONS'], 'one document with 11 operations')
})

t.test('deeply nested and exponentially spread fragments are refused quickly', async (t) => {
  const chain = Array.from({ length: 20 }, (_, i) => `fragment F${i} on Run { runId ${i < 19 ? `...F${i + 1}` : ''} }`).join(' ')
  t.same(await codeOf(`{ runs { ...F0 } } ${chain}`), [400, 'GATEWAY_QUERY_TOO_DEEP'], 'a chain of 20 fragments')
  // Each fragment spreads the next one twice: 2^7 copies of the last, counted once each.
  const doubling = Array.from({ length: 8 }, (_, i) => `fragment D${i} on Run { runId ${i < 7 ? `...D${i + 1} a${i}: status ...D${i + 1}` : ''} }`).join(' ')
  const response = await codeOf(`{ runs(limit: 500) { ...D0 } } ${doubling}`)
  t.equal(response[0], 400)
  t.ok(['GATEWAY_QUERY_TOO_COSTLY', 'GATEWAY_QUERY_TOO_DEEP'].includes(String(response[1])), `refused as ${String(response[1])}`)
  const tokens = `{ runs { ${Array.from({ length: 6000 }, () => 'runId').join(' ')} } }`
  t.same(await codeOf(tokens), [400, 'GATEWAY_QUERY_TOO_LARGE'], 'a document of 6,000 tokens')
})

t.test('a variable of the wrong type is BAD_USER_INPUT, not INTERNAL', async (t) => {
  t.same(await codeOf('query ($limit: Int) { runs(limit: $limit) { runId } }', { limit: 'ten' }), [400, 'BAD_USER_INPUT'])
  t.same(await codeOf('mutation ($input: RecipeInput!) { validateRecipe(input: $input) { valid } }', { input: { ...RECIPE, left: 'a' } }), [400, 'BAD_USER_INPUT'])
  t.same(await codeOf('mutation ($input: RecipeInput!) { validateRecipe(input: $input) { valid } }', {}), [400, 'BAD_USER_INPUT'], 'a required variable missing')
  const notJson = await post('{"query": "{ runs { runId } }", "variables": ')
  t.same([notJson.status, notJson.code], [400, 'BAD_REQUEST'], 'a body that is not JSON')
})

t.test('unknown routes answer a coded 404; without a key, 401', async (t) => {
  for (const [method, path] of [['GET', '/nope'], ['POST', '/graphql/extra'], ['DELETE', '/uploads']]) {
    const response = await fetch(`${url}${path}`, { method, headers: authHeaders() })
    t.equal(response.status, 404, `${method} ${path}`)
    t.equal((await response.json() as { error: { code: string } }).error.code, 'GATEWAY_ROUTE_NOT_FOUND')
  }
  const anonymous = await fetch(`${url}/nope`)
  t.equal(anonymous.status, 401)
  t.equal((await anonymous.json() as { error: { code: string } }).error.code, 'UNAUTHENTICATED', 'an unknown route does not tell anonymous callers it is unknown')
})

t.test('malformed, truncated and oddly named multipart uploads get coded errors', async (t) => {
  const garbage = await rawUpload(Buffer.from('this is not a multipart body at all'))
  t.equal(garbage.status, 400)
  t.match(garbage.code, /^SOURCES_UPLOAD_/, `garbage: ${String(garbage.code)}`)
  const noBoundary = await fetch(`${url}/uploads`, { method: 'POST', headers: { ...authHeaders(), 'content-type': 'multipart/form-data' }, body: 'x' })
  t.equal(noBoundary.status, 400, 'multipart without a boundary')
  t.match((await noBoundary.json() as { error: { code: string } }).error.code, /^SOURCES_UPLOAD_/)
  const whole = part('cut.csv', 'id\n1\n2\n')
  const truncated = await rawUpload(whole.subarray(0, whole.length - 30))
  t.equal(truncated.status, 400, 'a body that ends before its closing boundary')
  t.equal(truncated.code, 'SOURCES_UPLOAD_TRUNCATED')
  const nul = await rawUpload(part('in\u0000voices.csv', 'id\n1\n'))
  t.same([nul.status, nul.code], [400, 'SOURCES_UPLOAD_FILENAME_INVALID'], 'a file name with a NUL byte')
  const ok = await rawUpload(part('fine.csv', 'id\n1\n'))
  t.equal(ok.status, 201, 'a well-formed upload still works')
  const kept: string[] = []
  for await (const key of storage.list('uploads/')) kept.push(key)
  t.same(kept.map((k) => k.split('/').pop()), ['fine.csv'], 'nothing of the refused uploads is kept')
})

t.test('a subscription over the limits is refused, and the server is still up afterwards', async (t) => {
  const client = wsClient(url)
  t.teardown(() => client.dispose())
  const aliases = Array.from({ length: 30 }, (_, i) => `u${i}: runUpdated { runId }`).join(' ')
  const refused = watch(client, 'runUpdated', `subscription { ${aliases} }`)
  const error = (await refused.ended).error as Array<{ extensions?: { code?: string } }>
  t.equal(error[0]?.extensions?.code, 'GATEWAY_TOO_MANY_ROOT_FIELDS')
  const large = watch(client, 'runUpdated', `subscription { runUpdated { ${Array.from({ length: 6000 }, () => 'runId').join(' ')} } }`)
  t.equal(((await large.ended).error as Array<{ extensions?: { code?: string } }>)[0]?.extensions?.code, 'GATEWAY_QUERY_TOO_LARGE')
  const response = await graphql(url, '{ runs { runId } }')
  t.same([response.status, response.errors], [200, undefined], 'an ordinary query is answered')
  t.equal((await fetch(`${url}/graphql?query=${encodeURIComponent('{ runs { runId } }')}`, { headers: authHeaders() })).status, 200)
})

async function codeOf (query: string, variables: Record<string, unknown> = {}): Promise<[number, unknown]> {
  const response = await graphql(url, query, variables)
  return [response.status, response.errors?.[0]?.extensions?.code]
}
