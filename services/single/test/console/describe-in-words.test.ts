import { once } from 'node:events'
import { access } from 'node:fs/promises'
import { createServer } from 'node:http'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { graphqlOk, TEST_ADMIN_KEY, waitFor } from '@kalla/testing'
import { SCREENSHOTS, signIn, startConsole, uploadFiles } from './console-harness.ts'

// "Describe in words" against a stand-in speaking the chat-completions API with recorded answers, picked
// by a marker in the prompt: a good draft, SQL that would write or read a file, a syntax error on line 3,
// an answer that is not a recipe, and a failing provider. Only the good draft may be previewed and saved.
const shot = (name: string): { path: string, fullPage: boolean } => ({ path: new URL(`${name}.png`, SCREENSHOTS).pathname, fullPage: true })
const GOOD = 'SELECT l.invoice_id, r.payment_id\nFROM invoices l\nJOIN payments r ON l.invoice_id = r.reference_number AND tolerance_match(l.amount, r.paid_amount, 0.02)'
const BROKEN = 'SELECT l.invoice_id, r.payment_id\nFROM invoices l JOIN payments r\nON l.invoice_id = = r.reference_number'
const LEAK = 'leaked.csv'
const READ_FILE = "SELECT l.invoice_id, r.payment_id FROM invoices l JOIN payments r ON l.invoice_id = r.reference_number WHERE r.reference_number <> (SELECT content FROM read_text('/etc/passwd'))"
const writingSql = (dir: string): string => `SELECT l.invoice_id, r.payment_id FROM invoices l JOIN payments r ON l.invoice_id = r.reference_number;\nCOPY (SELECT 42 AS leaked) TO '${join(dir, LEAK)}'`

function answerFor (prompt: string, dir: string): { status: number, content?: string } {
  if (prompt.includes('[fail]')) return { status: 503 }
  if (prompt.includes('[prose]')) return { status: 200, content: 'I would match the invoices to the payments by their reference.' }
  const sql = prompt.includes('[write]') ? writingSql(dir) : prompt.includes('[read]') ? READ_FILE : prompt.includes('[broken]') ? BROKEN : GOOD
  return { status: 200, content: JSON.stringify({ match_sql: sql, match_description: 'A payment matches the invoice its reference names, amounts within 0.02.', left_primary_key: ['invoice_id'], right_primary_key: ['payment_id'] }) }
}

let leakDir = ''
const prompts: string[] = []
const provider = createServer((req, res) => {
  let text = ''
  req.on('data', (chunk: Buffer) => { text += chunk.toString() })
  req.on('end', () => {
    const prompt = (JSON.parse(text) as { messages: { content: string }[] }).messages.at(-1)?.content ?? ''
    prompts.push(prompt)
    const { status, content } = answerFor(prompt, leakDir)
    if (content === undefined) return res.writeHead(status).end('overloaded')
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content } }] }))
  })
})
provider.listen(0, '127.0.0.1')
await once(provider, 'listening')
t.teardown(() => { provider.closeAllConnections(); provider.close() })
const port = (provider.address() as { port: number }).port

const harness = await startConsole(t, 300, undefined, { env: { KALLA_LLM_URL: `http://127.0.0.1:${port}/v1`, KALLA_LLM_MODEL: 'stand-in' } })
const { page, url, dir, foreign, cspViolations } = harness
leakDir = dir
await signIn(page, url, TEST_ADMIN_KEY)
await uploadFiles(page, url, [harness.invoicesCsv, harness.paymentsCsv])
await page.goto(`${url}/#/recipes/new`)
await page.getByLabel('Left source to read').selectOption({ label: 'invoices.csv' })
await page.getByLabel('Right source to read').selectOption({ label: 'payments.csv' })

/** Asks for a draft and waits until the model was asked and Kalla's answer is shown. */
async function draft (t: Test, words: string): Promise<void> {
  const asked = prompts.length
  await page.getByLabel('Describe the match in words').fill(words)
  await page.getByRole('button', { name: 'Draft the recipe' }).click()
  await waitFor(() => prompts.length > asked ? true : undefined, 60_000, 'the model to be asked')
  await page.locator('button:enabled', { hasText: 'Draft the recipe' }).waitFor({ timeout: 60_000 })
  t.equal(prompts.length, asked + 1, `the model was asked once for "${words}"`)
}

const disabled = async (name: string): Promise<boolean> => await page.getByRole('button', { name, exact: true }).isDisabled()
const recipes = async (): Promise<string[]> => (await graphqlOk<{ recipes: { recipeId: string }[] }>(url, '{ recipes { recipeId } }')).recipes.map((r) => r.recipeId)

t.test('the operator configured a model: the screen offers "Describe in words" and says what the model sees', async (t) => {
  await page.getByRole('heading', { name: 'Describe in words' }).waitFor()
  t.match(await page.locator('.describe .hint').textContent(), /never their values/, 'sample values are not shared (KALLA_LLM_SAMPLE_VALUES is off)')
})

t.test('an answer that is not a recipe, and a failing provider: shown in words with their codes, nothing filled in', async (t) => {
  await draft(t, 'match them [prose]')
  t.match(await page.getByTestId('draft-outcome').textContent(), /not a recipe/, 'the answer is said not to be a recipe')
  t.equal(await page.getByLabel('Recipe id').inputValue(), '', 'and the form stays empty')
  await draft(t, 'match them [fail]')
  t.match(await page.getByTestId('assistant-status').textContent(), /HTTP 503.*\(RECIPES_LLM_FAILED\)/, 'the provider\'s failure is shown with its code and what to check')
})

/** Drafts unsafe SQL and checks it comes back with `code` among its problems, and cannot go further. */
async function refusedDraft (t: Test, marker: string, code: string): Promise<void> {
  await draft(t, `match invoices to payments by reference ${marker}`)
  t.match(await page.getByTestId('draft-outcome').textContent(), /problem.*not run.*cannot be saved/, 'the draft is said to have problems')
  await page.getByTestId('validation').filter({ hasText: /^\d+ problems?$/ }).waitFor()
  const codes = await Promise.all((await page.locator('.problems li[data-code]').all()).map(async (item) => await item.getAttribute('data-code')))
  t.ok(codes.includes(code), `the problem is named ${code} (${codes.join(', ')})`)
  t.same([await disabled('Preview on a sample'), await disabled('Save'), await disabled('Save and run')], [true, true, true], 'preview, save and run are refused')
}

t.test('unsafe SQL comes back with its problem, is never run, and cannot be previewed or saved', async (t) => {
  await refusedDraft(t, '[write]', 'ENGINE_SQL_NOT_SELECT')
  await t.rejects(access(join(dir, LEAK)), 'the COPY never ran: no file was written')
  await refusedDraft(t, '[read]', 'ENGINE_SQL_FORBIDDEN')
  t.notMatch(await page.locator('main').innerText(), /root:x?:0:/, 'nothing of the file it names is shown')
  t.same(await recipes(), [], 'and nothing was saved')
})

t.test('SQL with a syntax error: its problem is shown at line 3 of the SQL', async (t) => {
  await draft(t, 'match invoices to payments by reference [broken]')
  await page.locator('.sql-problem[data-line="3"]').waitFor()
  t.match(await page.locator('.sql-problem[data-line="3"]').textContent(), /Line 3: ON l\.invoice_id = = r\.reference_number/, 'the problem quotes line 3')
  await page.getByTestId('validation').filter({ hasText: /^\d+ problems?$/ }).waitFor()
  t.ok(await disabled('Save'), 'and the draft cannot be saved')
  await page.screenshot(shot('recipe-draft-problems'))
})

t.test('a good draft fills the form, previews and saves as any recipe', async (t) => {
  await draft(t, 'match invoices to payments by reference, amounts within two cents')
  t.match(await page.getByTestId('draft-outcome').textContent(), /no problems.*On a sample it matched \d+/, 'the draft was checked and run on a sample')
  t.equal((await page.getByLabel('Match SQL').innerText()).replace(/\s+/g, ' '), GOOD.replace(/\s+/g, ' '), 'its SQL is in the editor')
  await page.getByText('The recipe is valid.').waitFor()
  await page.getByRole('button', { name: 'Preview on a sample' }).click()
  t.ok(Number(await page.getByTestId('preview-matched').textContent()) > 0, 'the preview matches records')
  await page.screenshot(shot('recipe-draft'))
  await page.getByLabel('Recipe id').fill('drafted')
  await page.getByRole('button', { name: 'Save', exact: true }).click()
  await page.getByRole('heading', { name: 'Recipes' }).waitFor()
  t.same(await recipes(), ['drafted'], 'the draft was saved')
  t.same(foreign, [], 'the console asked nothing of any other host')
  t.same(cspViolations, [], 'and broke no rule of its Content-Security-Policy')
})
