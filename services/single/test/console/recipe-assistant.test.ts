import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import pg from 'pg'
import type { Page } from 'playwright-core'
import { createTestDatabase, graphqlOk, parseCsv, TEST_ADMIN_KEY } from '@kalla/testing'
import { SCREENSHOTS, signIn, startConsole, uploadFiles } from './console-harness.ts'

// "Suggest from the data" on the new-recipe screen, against single mode with no language model: the
// generator's files get a one-to-one recipe whose run shows the ground truth's counts (worked out by the
// generator in plain JavaScript, not by the engine); two unrelated files get "no good recipe" in words.
const shot = (name: string): { path: string, fullPage: boolean } => ({ path: new URL(`${name}.png`, SCREENSHOTS).pathname, fullPage: true })
const ONE_TO_ONE = { exact: 0.7, withinTolerance: 0.2, beyondTolerance: 0.02, late: 0, split: 0, batch: 0, cross: 0, orphanInvoice: 0.05, orphanPayment: 0.03 }

const harness = await startConsole(t, 900, undefined, { shares: ONE_TO_ONE })
const { page, url, dir, foreign, cspViolations } = harness
await signIn(page, url, TEST_ADMIN_KEY)

async function suggestFor (page: Page, left: string, right: string): Promise<void> {
  // A new screen each time (a hash change alone would keep the last one's state). The recipes list must
  // be drawn before the next change: two hash changes in one render would keep the old editor and its lists.
  await page.goto(`${url}/#/recipes`)
  await page.getByRole('heading', { name: 'Recipes' }).first().waitFor()
  await page.goto(`${url}/#/recipes/new`)
  await page.getByLabel('Left source to read').selectOption({ label: left })
  await page.getByLabel('Right source to read').selectOption({ label: right })
  await page.getByRole('button', { name: 'Suggest recipes' }).click()
  await page.locator('.suggestions').waitFor({ timeout: 60_000 })
}

const dataRows = async (path: string): Promise<number> => parseCsv(await readFile(path, 'utf8')).length - 1

const countsShown = async (): Promise<number[]> => {
  await page.getByTestId('run-status').getByText('COMPLETED').waitFor({ timeout: 60_000 })
  await page.getByTestId('count-unmatched-right').waitFor()
  return await Promise.all(['matched', 'unmatched-left', 'unmatched-right'].map(async (k) => Number(await page.getByTestId(`count-${k}`).textContent())))
}

/** A new Postgres database holding the generated invoices as the table `invoices`; its URI for registerSource. */
async function invoicesTable (csv: string): Promise<string> {
  const db = await createTestDatabase()
  t.teardown(db.drop)
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  try {
    const [header, ...rows] = parseCsv(await readFile(csv, 'utf8'))
    t.same(header, ['invoice_id', 'customer_id', 'currency', 'amount', 'invoice_date', 'batch_ref'], 'the generator writes the columns the table has')
    await client.query('CREATE TABLE invoices (invoice_id text PRIMARY KEY, customer_id text, currency text, amount numeric(12,2), invoice_date date, batch_ref text)')
    for (const row of rows) await client.query('INSERT INTO invoices VALUES ($1, $2, $3, $4, $5, NULLIF($6, \'\'))', row)
  } finally {
    await client.end()
  }
  const uri = new URL(db.url)
  uri.searchParams.set('table', 'invoices')
  return uri.toString()
}

t.test('the generator\'s files: the best suggestion, picked, previewed, saved and run, shows the ground truth counts', async (t) => {
  const { invoicesCsv, paymentsCsv, truth } = harness
  await uploadFiles(page, url, [invoicesCsv, paymentsCsv])
  await suggestFor(page, 'invoices.csv', 'payments.csv')
  t.equal(await page.getByText('Describe in words').count(), 0, 'without a configured language model there is no "Describe in words"')
  const best = page.locator('li[data-rank="1"]')
  t.equal(await best.locator('.pattern').getAttribute('data-pattern'), 'ONE_TO_ONE', 'the best suggestion pairs one with one')
  const [invoices, payments] = [await dataRows(invoicesCsv), await dataRows(paymentsCsv)]
  // Every row is read (the files are below the 20,000-row sample), so the preview's counts are the whole truth's.
  t.match(await best.getByTestId('match-rate').textContent(),
    `${invoices - truth.unmatched_left_count} of ${invoices} left, ${payments - truth.unmatched_right_count} of ${payments} right`, 'its preview matches what the ground truth matches')
  const evidence = await best.locator('.evidence li').allTextContents()
  t.ok(evidence.length >= 3, `it shows its evidence (${evidence.length} lines)`)
  t.ok(evidence.some((line) => /invoices\.invoice_id/.test(line) && /payments\.reference_number/.test(line) && /%/.test(line)), 'including the share of references that join an invoice number')
  t.ok(evidence.some((line) => /0\.02/.test(line)), 'and the amount tolerance it chose')
  t.ok(((await best.locator('.description').textContent()) ?? '').length > 40, 'and what it matches in plain words')
  await page.screenshot(shot('recipe-suggestions'))
  await page.setViewportSize({ width: 820, height: 1180 })
  t.ok(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), 'the suggestions fit a tablet\'s width without scrolling sideways')
  await page.setViewportSize({ width: 1280, height: 800 })

  await best.getByRole('button', { name: 'Use suggestion 1' }).click()
  const sql = await page.getByLabel('Match SQL').innerText()
  t.match(sql, /tolerance_match\("invoices"\."amount", "payments"\."paid_amount", 0\.02\)/, 'the SQL editor holds the suggested SQL')
  t.equal(await page.getByLabel('Primary key').first().inputValue(), 'invoice_id', 'the form holds the suggested keys')
  t.equal(await page.getByLabel('File').first().inputValue(), await page.getByLabel('Left source to read').inputValue().then((v) => v.replace(/^upload:/, '')), 'and the file it read')
  await page.getByLabel('Recipe id').fill('suggested-one-to-one')
  await page.getByLabel('Name', { exact: true }).fill('Invoices to payments, as suggested')
  await page.getByText('The recipe is valid.').waitFor()
  await page.getByRole('button', { name: 'Preview on a sample' }).click()
  t.ok(invoices <= 1000 && payments <= 1000, 'both files fit the 1,000-row sample a preview reads')
  t.equal(Number(await page.getByTestId('preview-matched').textContent()), truth.matched_count, 'so the preview of the whole files matches the ground truth')

  await page.getByRole('button', { name: 'Save and run' }).click()
  t.same(await countsShown(), [truth.matched_count, truth.unmatched_left_count, truth.unmatched_right_count], 'the run shows the ground truth counts')
  const saved = await graphqlOk<{ recipe: { name: string, left: { primaryKey: string[] } } | null }>(url, 'query { recipe(recipeId: "suggested-one-to-one") { name left { primaryKey } } }', {}, { key: TEST_ADMIN_KEY })
  t.same(saved.recipe, { name: 'Invoices to payments, as suggested', left: { primaryKey: ['invoice_id'] } }, 'the edited suggestion was saved as any recipe')
})

t.test('two unrelated files: the assistant says in words that no good recipe was found, and offers none', async (t) => {
  const colours = join(dir, 'colours.csv')
  const towns = join(dir, 'towns.csv')
  await writeFile(colours, 'code,colour,price\n' + Array.from({ length: 40 }, (_, i) => `C${i * 13},red,${i}.50`).join('\n'))
  await writeFile(towns, 'town,zip,rent\n' + Array.from({ length: 40 }, (_, i) => `Town ${i},Z${1000 + i * 7},${900 + i}.00`).join('\n'))
  await uploadFiles(page, url, [colours, towns])
  await suggestFor(page, 'colours.csv', 'towns.csv')
  t.match(await page.getByTestId('no-good-recipe').textContent(), /^No good recipe found: /, 'the reason is shown in words')
  t.equal(await page.getByRole('button', { name: /Use suggestion/ }).count(), 0, 'and no recipe is offered')
  t.equal(await page.getByLabel('Match SQL').innerText().then((s) => s.trim()), '', 'the SQL editor stays empty')
  await page.screenshot(shot('recipe-no-suggestion'))
  t.same(foreign, [], 'the console asked nothing of any other host')
  t.same(cspViolations, [], 'and broke no rule of its Content-Security-Policy')
})

t.test('a registered Postgres source against an uploaded file: the suggestion keeps the source, and its run shows the ground truth', async (t) => {
  const { invoicesCsv, truth } = harness
  await graphqlOk(url, 'mutation ($input: RegisterSourceInput!) { registerSource(input: $input) { alias } }', { input: { alias: 'erp_invoices', type: 'POSTGRES', uri: await invoicesTable(invoicesCsv) } })
  await suggestFor(page, 'erp_invoices (postgres)', 'payments.csv')
  t.equal(await page.getByLabel('Left alias').inputValue(), 'erp_invoices', 'the alias is the registered source\'s')
  await page.getByRole('button', { name: 'Use suggestion 1' }).click()
  t.match(await page.locator('fieldset.side').first().textContent(), /postgres source source:erp_invoices/, 'the left side reads the registered source')
  t.match(await page.getByLabel('Match SQL').innerText(), /tolerance_match\("erp_invoices"\."amount", "payments"\."paid_amount", 0\.02\)/, 'with the same join and tolerance as the files')
  await page.getByLabel('Recipe id').fill('suggested-from-postgres')
  await page.getByText('The recipe is valid.').waitFor()
  await page.getByRole('button', { name: 'Save and run' }).click()
  t.same(await countsShown(), [truth.matched_count, truth.unmatched_left_count, truth.unmatched_right_count], 'the run shows the ground truth counts')
})
