import { once } from 'node:events'
import { createServer } from 'node:http'
import { join } from 'node:path'
import t from 'tap'
import { errorCode, graphql, graphqlOk, uploadFile } from '@kalla/testing'
import { startSingle } from './harness.ts'

// draftRecipe through single mode's GraphQL, against a stand-in speaking the chat-completions API: the
// draft of a good answer is previewed; an unsafe one comes back with its problem and no preview.
const GOOD = "SELECT l.invoice_id, b.\"Transaction ID\", l.amount, b.Amount AS paid FROM ledger l JOIN bank b ON regexp_extract(b.Description, 'INV-[0-9]+') = l.invoice_id AND b.Amount = l.amount"
const UNSAFE = "SELECT * FROM read_text('/etc/passwd')"
const server = createServer((req, res) => {
  let text = ''
  req.on('data', (chunk: Buffer) => { text += chunk.toString() })
  req.on('end', () => {
    const words = (JSON.parse(text) as { messages: { content: string }[] }).messages.at(-1)?.content ?? ''
    const sql = words.includes('[unsafe]') ? UNSAFE : GOOD
    const content = JSON.stringify({ match_sql: sql, match_description: 'By the invoice number in the description.', left_primary_key: ['invoice_id'], right_primary_key: ['Transaction ID'] })
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content } }] }))
  })
})
server.listen(0, '127.0.0.1')
await once(server, 'listening')
t.teardown(() => { server.closeAllConnections(); server.close() })
const port = (server.address() as { port: number }).port
const { url } = await startSingle(t, 10, { KALLA_LLM_URL: `http://127.0.0.1:${port}/v1`, KALLA_LLM_MODEL: 'stand-in' })
const files = new URL('../../../examples/files/', import.meta.url).pathname
const DRAFT = 'mutation ($sources: [SuggestSourceInput!]!, $prompt: String!) { draftRecipe(sources: $sources, prompt: $prompt) { matchSql problems { code message } preview { matchedCount unmatchedLeftCount unmatchedRightCount } sampleValuesShared recipe } }'

interface Draft { draftRecipe: { matchSql: string | null, problems: { code: string }[], preview: { matchedCount: number } | null, sampleValuesShared: boolean, recipe: unknown } }

t.test('draftRecipe over GraphQL previews a good draft and shows an unsafe one with its problem, unrun', async (t) => {
  const ledger = await uploadFile(`${url}/uploads`, join(files, 'bank-us-ledger.csv'), 'bank-us-ledger.csv')
  const bank = await uploadFile(`${url}/uploads`, join(files, 'bank-us-statement.csv'), 'bank-us-statement.csv')
  const sources = [{ alias: 'ledger', uploadId: ledger.uploadId }, { alias: 'bank', uploadId: bank.uploadId }]
  const good = await graphqlOk<Draft>(url, DRAFT, { sources, prompt: 'match the ledger to the bank by the invoice number in the description, equal amounts' })
  t.same(good.draftRecipe.problems, [])
  t.equal(good.draftRecipe.matchSql, GOOD)
  t.ok((good.draftRecipe.preview?.matchedCount ?? 0) > 0, 'the draft is previewed')
  t.equal(good.draftRecipe.sampleValuesShared, false)
  const unsafe = await graphqlOk<Draft>(url, DRAFT, { sources, prompt: 'anything [unsafe]' })
  t.same(unsafe.draftRecipe.problems.map((p) => p.code).includes('ENGINE_SQL_FORBIDDEN'), true)
  t.equal(unsafe.draftRecipe.preview, null)
})

t.test('recipeAssistant says drafting is on, and that no sample values are shared', async (t) => {
  const answer = await graphqlOk<{ recipeAssistant: { drafting: boolean, sampleValuesShared: boolean } }>(url, '{ recipeAssistant { drafting sampleValuesShared } }')
  t.same(answer.recipeAssistant, { drafting: true, sampleValuesShared: false })
})

t.test('a draft request naming an upload that does not exist is a coded GraphQL error', async (t) => {
  const answer = await graphql(url, DRAFT, { sources: [{ alias: 'a', uploadId: 'none' }, { alias: 'b', uploadId: 'none' }], prompt: 'x' })
  t.equal(errorCode(answer.errors), 'RECIPES_UPLOAD_NOT_FOUND')
})
