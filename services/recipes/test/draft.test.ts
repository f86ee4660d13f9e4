import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import t, { type Test } from 'tap'
import { DraftRecipe, type Upload } from '@kalla/proto'
import { codeOf, failure, PG_URL, setup, type Setup } from './fixtures.ts'

// A stand-in for a chat-completions provider, speaking its HTTP API with recorded answers picked by a
// marker in the user's words. Tolerance 0.02: INV-1/PAY-1 (+0.02), INV-3/PAY-3 and INV-4/PAY-5 (-0.01)
// match; INV-2 (0.03 short) and INV-5 (unpaid) do not; PAY-2, PAY-4 (unknown invoice) and PAY-6 (no reference) neither.
const INVOICES = 'invoice_id,customer,amount\nINV-1,Acme,100.00\nINV-2,Acme,250.50\nINV-3,Beta,75.25\nINV-4,Beta,1000.10\nINV-5,Gamma,12.00\n'
const PAYMENTS = 'payment_id,reference_number,paid_amount\nPAY-1,INV-1,100.02\nPAY-2,INV-2,250.47\nPAY-3,INV-3,75.25\nPAY-4,INV-9,12.00\nPAY-5,INV-4,1000.09\nPAY-6,,5.00\n'
const API_KEY = 'sk-test-do-not-show-9f3c'
const LONG = { timeoutMs: 30_000 }
const dir = await mkdtemp(join(tmpdir(), 'kalla-draft-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))
const canary = join(dir, 'pwned.csv')
const secret = await writeFileAt(join(dir, 'secret.csv'), 'password\nhunter2\n')

const GOOD = 'SELECT i.invoice_id, p.payment_id, i.amount, p.paid_amount FROM invoices i JOIN payments p ON p.reference_number = i.invoice_id AND tolerance_match(i.amount, p.paid_amount, 0.02)'
const answer = (sql: string): string => JSON.stringify({ match_sql: sql, match_description: 'By reference, within 0.02.', left_primary_key: ['invoice_id'], right_primary_key: ['payment_id'] })
const RECORDED: Record<string, { status?: number, delayMs?: number, content?: string, body?: string }> = {
  '[good]': { content: `Here is the recipe:\n\`\`\`json\n${answer(GOOD)}\n\`\`\`` },
  '[malformed]': { content: 'Sure! Match the payments to the invoices by their reference.' },
  '[copy]': { content: answer(`COPY (SELECT 1 AS x) TO '${canary}'`) },
  '[read]': { content: answer(`SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON p.reference_number = i.invoice_id JOIN read_csv('${secret}') s ON true`) },
  '[attach]': { content: answer(`SELECT i.invoice_id, p.payment_id FROM invoices i, payments p; COPY invoices TO '${canary}'`) },
  '[unknown]': { content: answer('SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON p.reference = i.invoice_id') },
  '[slow]': { delayMs: 3000, content: answer(GOOD) },
  '[error]': { status: 500, body: '{"error":{"message":"overloaded"}}' },
  '[not-chat]': { body: '{"id":"x","object":"list","data":[]}' }
}
const requests: { authorization?: string, body: { model: string, messages: { role: string, content: string }[] } }[] = []

async function writeFileAt (path: string, text: string): Promise<string> {
  await writeFile(path, text)
  return path
}

const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  let text = ''
  req.on('data', (chunk: Buffer) => { text += chunk.toString() })
  req.on('end', () => {
    const body = JSON.parse(text) as (typeof requests)[number]['body']
    requests.push({ ...(req.headers.authorization === undefined ? {} : { authorization: req.headers.authorization }), body })
    const words = body.messages.at(-1)?.content ?? ''
    const recorded = Object.entries(RECORDED).find(([marker]) => words.includes(marker))?.[1] ?? RECORDED['[malformed]']!
    const reply = (): void => {
      if (req.url !== '/v1/chat/completions') { res.writeHead(404).end(); return }
      res.writeHead(recorded.status ?? 200, { 'content-type': 'application/json' })
      res.end(recorded.body ?? JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', model: body.model, choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: recorded.content } }] }))
    }
    if (recorded.delayMs === undefined) reply()
    else setTimeout(reply, recorded.delayMs).unref()
  })
})
server.listen(0, '127.0.0.1')
await once(server, 'listening')
t.teardown(() => { server.closeAllConnections(); server.close() })
const port = (server.address() as { port: number }).port
const LLM = { KALLA_LLM_URL: `http://127.0.0.1:${port}/v1`, KALLA_LLM_MODEL: 'stand-in-model', KALLA_LLM_API_KEY: API_KEY, KALLA_LLM_TIMEOUT_S: '1' }

async function upload (s: Setup, id: string, filename: string, text: string): Promise<void> {
  const key = `uploads/${id}/${filename}`
  const { sizeBytes } = await s.storage.put(key, text)
  const record: Upload = { upload_id: id, filename, format: 'csv', columns: (text.split('\n')[0] ?? '').split(',').map((name) => ({ name, type: 'VARCHAR' })), size_bytes: sizeBytes, key, created_at: new Date().toISOString(), expires_at: new Date(Date.now() + 3_600_000).toISOString() }
  s.uploads.set(id, record)
}

async function withUploads (t: Test, env: Record<string, string>): Promise<Setup> {
  const s = await setup(t, env)
  await upload(s, 'up-inv', 'invoices.csv', INVOICES)
  await upload(s, 'up-pay', 'payments.csv', PAYMENTS)
  return s
}

const SOURCES = [{ alias: 'invoices', upload_id: 'up-inv' }, { alias: 'payments', upload_id: 'up-pay' }]
const draft = (s: Setup, prompt: string): ReturnType<Setup['bus']['request']> => s.bus.request(DraftRecipe, { sources: SOURCES, prompt, sample_rows: 1000 }, LONG)

t.test('a good answer becomes a recipe that validates and is previewed; the model saw columns, not values', async (t) => {
  const s = await withUploads(t, LLM)
  requests.length = 0
  const result = await s.bus.request(DraftRecipe, { sources: SOURCES, prompt: 'match invoices to payments by reference, amounts within two cents [good]', sample_rows: 1000 }, LONG)
  t.same(result.problems, [])
  t.equal(result.recipe?.match_sql, GOOD)
  t.same(result.recipe?.sources.left.primary_key, ['invoice_id'])
  t.same(result.preview, { matched_count: 3, unmatched_left_count: 2, unmatched_right_count: 3 })
  t.equal(result.sample_values_shared, false)
  const sent = requests[0]!
  t.equal(sent.authorization, `Bearer ${API_KEY}`)
  t.equal(sent.body.model, 'stand-in-model')
  t.match(sent.body.messages[0]!.content, /tolerance_match\(a, b, abs_tol\)/, 'the model is told the helpers')
  t.match(sent.body.messages[1]!.content, /"invoices" has the columns: invoice_id VARCHAR, customer VARCHAR, amount DECIMAL/)
  t.notMatch(JSON.stringify(sent.body), /Acme|1000\.10|PAY-5/, 'no value of either file was sent')
})

t.test('with KALLA_LLM_SAMPLE_VALUES the model sees at most five rows of each source', async (t) => {
  const s = await withUploads(t, { ...LLM, KALLA_LLM_SAMPLE_VALUES: 'true' })
  requests.length = 0
  const result = await s.bus.request(DraftRecipe, { sources: SOURCES, prompt: 'by reference [good]', sample_rows: 1000 }, LONG)
  t.equal(result.sample_values_shared, true)
  const content = requests[0]!.body.messages[1]!.content
  t.match(content, /Sample rows: .*INV-1/)
  t.notMatch(content, /PAY-6/, 'the sixth payment is not sent')
})

t.test('malformed and unsafe answers are shown with their problems and never run', async (t) => {
  const s = await withUploads(t, LLM)
  const malformed = await s.bus.request(DraftRecipe, { sources: SOURCES, prompt: 'just do it [malformed]', sample_rows: 10 }, LONG)
  t.same(malformed.problems.map((p) => p.code), ['RECIPES_LLM_ANSWER_INVALID'])
  t.equal(malformed.recipe, undefined)
  for (const [marker, code] of [['[copy]', 'ENGINE_SQL_NOT_SELECT'], ['[read]', 'ENGINE_SQL_FORBIDDEN'], ['[attach]', 'ENGINE_SQL_NOT_SELECT'], ['[unknown]', 'ENGINE_SQL_UNKNOWN_COLUMN']] as const) {
    const result = await s.bus.request(DraftRecipe, { sources: SOURCES, prompt: `match them ${marker}`, sample_rows: 10 }, LONG)
    t.ok(result.problems.some((p) => p.code === code), `${marker}: ${code} (${result.problems.map((p) => p.code).join(', ')})`)
    t.equal(result.preview, undefined, `${marker}: a draft with problems is not previewed`)
    t.ok(result.recipe !== undefined, `${marker}: the draft is shown for editing`)
  }
  await t.rejects(access(canary), 'the COPY the model wrote never ran')
})

t.test('a failed, slow or foreign provider is a coded error that names no secret, and Kalla goes on answering', async (t) => {
  const s = await withUploads(t, LLM)
  for (const [marker, code] of [['[error]', 'RECIPES_LLM_FAILED'], ['[slow]', 'RECIPES_LLM_TIMEOUT'], ['[not-chat]', 'RECIPES_LLM_FAILED']] as const) {
    const error = await failure(draft(s, `x ${marker}`))
    t.equal(error.code, code, marker)
    t.notMatch(error.message, new RegExp(API_KEY), `${marker}: the API key is not in the message`)
  }
  const after = await s.bus.request(DraftRecipe, { sources: SOURCES, prompt: 'again [good]', sample_rows: 10 }, LONG)
  t.same(after.problems, [], 'the next draft works')
})

t.test('without KALLA_LLM_URL drafting is off with RECIPES_LLM_OFF', async (t) => {
  const s = await withUploads(t, {})
  t.equal(await codeOf(draft(s, 'anything [good]')), 'RECIPES_LLM_OFF')
})

t.test('a draft over a registered source names it as source:<alias>, never by the URI and password it resolves to', async (t) => {
  const s = await withUploads(t, LLM)
  const schema = `${s.schema}_erp`
  await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(s.database.db)
  t.teardown(async () => { await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(s.database.db) })
  await sql`CREATE TABLE ${sql.id(schema, 'invoices')} (invoice_id text PRIMARY KEY, customer text, amount numeric(12,2))`.execute(s.database.db)
  for (const [id, customer, amount] of INVOICES.trimEnd().split('\n').slice(1).map((line) => line.split(','))) {
    await sql`INSERT INTO ${sql.id(schema, 'invoices')} VALUES (${id}, ${customer}, ${amount}::numeric)`.execute(s.database.db)
  }
  // The test server trusts local connections, so the password is accepted and ignored: it stands for a real one.
  const uri = new URL(PG_URL)
  uri.password = 'pa55-in-the-registered-uri'
  uri.searchParams.set('table', `${schema}.invoices`)
  s.sources.set('erp', { columns: [{ name: 'invoice_id', type: 'VARCHAR' }, { name: 'customer', type: 'VARCHAR' }, { name: 'amount', type: 'DECIMAL(12,2)' }], uri: uri.toString() })
  const result = await s.bus.request(DraftRecipe, { sources: [{ alias: 'invoices', uri: 'source:erp' }, SOURCES[1]!], prompt: 'by reference, within two cents [good]', sample_rows: 1000 }, LONG)
  t.same(result.problems, [])
  t.same(result.preview, { matched_count: 3, unmatched_left_count: 2, unmatched_right_count: 3 }, 'the draft was previewed against the registered table')
  t.equal(result.recipe?.sources.left.uri, 'source:erp', 'the draft names the registered source')
  t.notMatch(JSON.stringify(result), /pa55-in-the-registered-uri/, 'the password appears nowhere in the answer')
})
